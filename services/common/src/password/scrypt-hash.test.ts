import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hashPassword, parseScryptHash, verifyScrypt } from './scrypt-hash';

test('hashPassword output parses and verifies only the right password', async () => {
  const hash = await hashPassword('wonderland', { ln: 10 });
  assert.match(hash, /^\$scrypt\$ln=10,r=8,p=1\$/);
  const params = parseScryptHash(hash);
  assert.ok(typeof params !== 'string');
  assert.equal(await verifyScrypt('wonderland', params), true);
  assert.equal(await verifyScrypt('wonderlanD', params), false);
  assert.equal(await verifyScrypt('', params), false);
});

test('two hashes of the same password differ (random salt)', async () => {
  assert.notEqual(await hashPassword('x', { ln: 4 }), await hashPassword('x', { ln: 4 }));
});

test('parseScryptHash explains malformed hashes', () => {
  for (const bad of ['', 'plain', '$scrypt$ln=15$AAAA$BBBB', '$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA']) {
    const r = parseScryptHash(bad);
    assert.equal(typeof r, 'string', bad);
    assert.match(r as string, /expected \$scrypt\$/);
  }
  assert.match(parseScryptHash('$scrypt$ln=25,r=8,p=1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=') as string, /out of range/);
  assert.match(parseScryptHash('$scrypt$ln=15,r=8,p=1$AAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=') as string, /salt/);
});
