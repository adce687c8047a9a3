import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { SocksClient } from 'socks';
import { SockscaleProcess, tempPolicy } from '../helpers/sockscale-process';
import { startEchoServer } from '../helpers/targets';

// Embedded mode (`serve --policy`, what `npm start` runs) goes through the control-plane path in
// one process: files -> store -> publisher (hold-off, versions = store revisions) -> Watch ->
// the proxy's check/apply/ACK. Seen from outside: the publisher's log lines and metrics, the
// versions, and a plain-text password that still works after being hashed for the snapshot.

const files = (port: number, withGuest: boolean): string => `
apiVersion: sockscale.io/v1alpha1
kind: SocksUser
metadata: {name: carol}
spec: {password: {value: c-secret}}
---
apiVersion: sockscale.io/v1alpha1
kind: SocksPolicy
metadata: {name: carol-echo}
spec:
  subjects: {users: [carol]}
  rules: [{action: Allow, destinations: ["127.0.0.1/32"], ports: ["${port}"]}]
${
  withGuest
    ? `---
apiVersion: sockscale.io/v1alpha1
kind: SocksPolicy
metadata: {name: guests}
spec:
  subjects: {anonymous: true}
  rules: [{action: Allow, destinations: ["127.0.0.1/32"], ports: ["${port}"]}]
`
    : ''
}`;

async function connects(p: SockscaleProcess, port: number, user?: { userId: string; password: string }): Promise<boolean> {
  try {
    const { socket } = await SocksClient.createConnection({ proxy: { host: p.socksHost, port: p.socksPort, type: 5, ...user }, command: 'connect', destination: { host: '127.0.0.1', port }, timeout: 5000 });
    socket.destroy();
    return true;
  } catch (err) {
    // 0x02, or no method offered when no policy admits anonymous clients any more.
    if (/NotAllowed|no accepted authentication/.test((err as Error).message)) return false;
    throw err;
  }
}

test('embedded mode: policy files reach the proxy through the in-process publisher (versions, hold-off batching, ACK)', async () => {
  const echo = await startEchoServer();
  const file = tempPolicy(files(echo.port, true));
  const p = await SockscaleProcess.start({ policy: file });
  try {
    // Start-up: written to the store as revision 1, built by the publisher, ACKed by the proxy.
    const built1 = await p.waitForLog((l) => l.msg === 'policy snapshot built' && l.component === 'publisher');
    assert.equal(built1.version, 1);
    assert.equal(built1.objects, 3);
    const watching = await p.waitForLog((l) => l.msg === 'watching control plane');
    const socketDir = dirname(String(watching.address).replace(/^unix:/, ''));
    assert.match(String(watching.address), /^unix:\//, 'private unix socket, no TCP port');
    assert.equal(await p.metric('sockscale_control_snapshot_version'), 1);
    assert.equal(await p.metric('sockscale_control_proxies', { state: 'current' }), 1, 'the proxy ACKed the served version');
    // The plain-text password reached the proxy as a hash and still verifies.
    assert.equal(await connects(p, echo.port, { userId: 'carol', password: 'c-secret' }), true);
    assert.equal(await connects(p, echo.port, { userId: 'carol', password: 'wrong' }).catch(() => 'refused'), 'refused');
    assert.equal(await connects(p, echo.port), true, 'anonymous allowed by guests');

    // One edit that changes an object and removes another: two store writes (apply = revision
    // 2, delete = revision 3) that the hold-off batches into one snapshot: version 3, never 2.
    writeFileSync(file, files(echo.port + 1, false));
    const reloaded = await p.waitForLog((l) => l.msg === 'policy reloaded');
    assert.equal(reloaded.version, 3);
    const builtVersions = p.logs.filter((l) => l.msg === 'policy snapshot built').map((l) => l.version);
    assert.deepEqual(builtVersions, [1, 3], 'revision 2 was batched away by the hold-off');
    assert.equal(await p.metric('sockscale_proxy_policy_version'), 3);
    assert.equal(await p.metric('sockscale_control_snapshot_version'), 3);
    assert.equal(await p.metric('sockscale_control_snapshot_responses_total', { result: 'ack' }), 2);
    assert.equal(await connects(p, echo.port), false, 'guests policy deleted');
    // An unchanged password kept its hash: carol's object was not rewritten (no new version for her).
    const written = p.logs.filter((l) => l.msg === 'policy files written to the store').at(-1);
    assert.deepEqual(written?.objects, ['SocksPolicy/carol-echo=configured', 'SocksPolicy/guests=deleted']);

    // An invalid edit never reaches the store: the error names the file; version 3 stays.
    writeFileSync(file, files(echo.port, false).replace('ports: [', 'ports: ["nope", '));
    const rejected = await p.waitForLog((l) => l.msg === 'new policy is invalid; keeping the previous one');
    assert.match(JSON.stringify(rejected.issues), new RegExp(`${file.replace(/[/.]/g, '\\$&')}.*nope`));
    assert.equal(await p.metric('sockscale_control_snapshot_version'), 3);
    assert.equal(await p.metric('sockscale_proxy_policy_version'), 3);

    assert.equal(await p.stop(), 0);
    assert.equal(existsSync(socketDir), false, 'the socket directory is removed on exit');
  } finally {
    await p.stop();
    await echo.close();
  }
});
