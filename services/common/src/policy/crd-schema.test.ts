import { test } from 'node:test';
import assert from 'node:assert/strict';
import { allCrds, assertDescribed, crdFor, specSchema } from './crd-schema';
import { checker, listOf, record, stringValue } from './schema-walker';
import { POLICY_KINDS } from './types';

void test('crd-schema: every kind has a fully described spec schema and a CRD', () => {
  for (const kind of POLICY_KINDS) {
    const spec = specSchema(kind);
    assert.equal(spec.type, 'object', kind);
    const crd = crdFor(kind) as { spec: { names: { kind: string }; versions: { subresources: unknown }[] } };
    assert.equal(crd.spec.names.kind, kind);
    assert.deepEqual(crd.spec.versions[0]?.subresources, { status: {} });
  }
  assert.equal(allCrds().length, POLICY_KINDS.length);
});

void test('crd-schema: the spec schemas carry the validator rules (required, enums, limits, CEL)', () => {
  const p = specSchema('SocksPolicy');
  assert.deepEqual(p.required, ['subjects', 'rules']);
  assert.deepEqual(p.properties?.priority, { description: 'Lower runs first; ties are broken by name.', type: 'integer', minimum: 0, maximum: 1_000_000, default: 1000 });
  const rule = p.properties?.rules?.items;
  assert.deepEqual(rule?.properties?.action?.enum, ['Allow', 'Deny']);
  assert.deepEqual(rule?.required, ['action']);
  assert.equal(rule?.properties?.name?.default, undefined, 'rule-<index> is not a static default');
  assert.equal(rule?.properties?.commands?.['x-kubernetes-list-type'], 'set');
  assert.equal(p.properties?.rules?.minItems, 1);
  assert.ok(p.properties?.subjects?.['x-kubernetes-validations']?.[0]?.message.startsWith('subjects match no one'));
  const u = specSchema('SocksUser');
  assert.equal(u.required, undefined, 'password or passwordSecretRef: neither alone is required');
  assert.equal(u.properties?.password?.default, undefined, 'the {} default is not published');
  assert.deepEqual(u.properties?.passwordSecretRef?.required, ['name', 'key']);
  assert.match(JSON.stringify(u['x-kubernetes-validations']), /has\(self.password\) != has\(self.passwordSecretRef\)/);
});

void test('crd-schema: an undescribed checker fails generation, naming the field', () => {
  const bare = checker<string>('anything', (v) => String(v));
  const schema = record<{ a: string; b: string[] }>({ a: { check: stringValue(), required: true }, b: { check: listOf(bare), required: true } }).schema;
  assert.ok(schema !== undefined);
  assert.throws(() => assertDescribed(schema, 'X.spec'), /X\.spec\.b\[\] has no schema description/);
});

void test('schema-walker: checker() folds the pattern / intOrString / enum shorthands into its schema', () => {
  // checker() decorates the function it is given, so each call gets its own.
  const id = () => (v: unknown) => v;
  assert.deepEqual(checker('x', id(), { pattern: '^a$' }).schema, { type: 'string', pattern: '^a$' });
  assert.deepEqual(checker('x', id(), { pattern: '^[0-9]+$', intOrString: true }).schema, { 'x-kubernetes-int-or-string': true, pattern: '^[0-9]+$' });
  assert.deepEqual(checker('x', id(), { enum: ['A', 'B'] }).schema, { type: 'string', enum: ['A', 'B'] });
  assert.equal(checker('x', id()).schema, undefined);
});
