import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadPolicyText } from './load-yaml';
import { assemblePolicySnapshot } from './snapshot';
import { BOB_HASH, LOCAL_EXAMPLE } from './testdata/local-example';

/** `line:column path: message` for each issue (file and document checked separately). */
function located(text: string, options?: { allowPlaintextPasswords?: boolean }): string[] {
  return loadPolicyText(text, 'test.yaml', options).issues.map((i) => `${i.line}:${i.column} ${i.path}: ${i.message}`);
}

const HEAD = 'apiVersion: sockscale.io/v1alpha1\nkind: SocksPolicy\nmetadata: {name: p}\n';

void test('load: the embedded example loads with no issues and the expected defaults', () => {
  const r = loadPolicyText(LOCAL_EXAMPLE, 'examples/local.yaml');
  assert.deepEqual(r.issues, []);
  assert.deepEqual(
    r.objects.map((o) => `${o.kind}/${o.metadata.name}`),
    ['SocksUser/alice', 'SocksUser/bob', 'SocksPolicy/staff-lab', 'SocksPolicy/local-anonymous'],
  );
  const snap = assemblePolicySnapshot(r.objects, 1);
  const [alice, bob] = snap.users;
  assert.deepEqual(alice?.spec, { groups: ['staff'], password: { value: 'wonderland' }, disabled: false });
  assert.deepEqual(bob?.spec, { groups: ['guests'], password: { hash: BOB_HASH }, disabled: false });
  assert.deepEqual(
    snap.policies.map((p) => p.metadata.name),
    ['staff-lab', 'local-anonymous'],
  );
  const [staffLab, anonymous] = snap.policies;
  assert.deepEqual(staffLab?.spec, {
    priority: 100,
    subjects: { users: [], groups: ['staff'], anonymous: false, clientCIDRs: [] },
    rules: [
      { name: 'no-canary', action: 'Deny', commands: ['Connect', 'Bind', 'UdpAssociate'], destinations: ['127.0.0.1/32'], ports: ['25'] },
      { name: 'lab', action: 'Allow', commands: ['Connect', 'Bind', 'UdpAssociate'], destinations: ['127.0.0.0/8', '::1/128', 'localhost'], ports: [] },
    ],
  });
  assert.deepEqual(anonymous?.spec, {
    priority: 200,
    subjects: { users: [], groups: [], anonymous: true, clientCIDRs: ['127.0.0.0/8', '::1/128'] },
    rules: [
      { name: 'rule-0', action: 'Deny', commands: ['Connect', 'Bind', 'UdpAssociate'], destinations: ['127.0.0.1/32'], ports: ['25'] },
      { name: 'rule-1', action: 'Allow', commands: ['Connect', 'Bind', 'UdpAssociate'], destinations: ['127.0.0.0/8', '::1/128', 'localhost'], ports: [] },
    ],
  });
});

void test('load: plain-text passwords are refused when the caller says so', () => {
  const r = loadPolicyText(LOCAL_EXAMPLE, 'examples/local.yaml', { allowPlaintextPasswords: false });
  assert.deepEqual(r.issues, [
    {
      file: 'examples/local.yaml',
      document: 0,
      object: 'SocksUser/alice',
      path: 'spec.password.value',
      line: 6,
      column: 21,
      message: 'plain-text passwords are accepted only in embedded mode; use "hash" (the output of "sockscale hash-password") or a Secret',
    },
  ]);
  assert.equal(r.objects.length, 3);
});

void test('load: an issue carries file, document index, object key, line and column', () => {
  const text = `${LOCAL_EXAMPLE}---\n${HEAD.replace('name: p', 'name: typo')}spec:\n  priority: 1\n  subjects: {users: [alice]}\n  rules:\n    - action: Allow\n      ports: ["443", "80-8"]\n`;
  assert.deepEqual(loadPolicyText(text, 'policies/all.yaml').issues, [
    {
      file: 'policies/all.yaml',
      document: 4,
      object: 'SocksPolicy/typo',
      path: 'spec.rules[0].ports[1]',
      line: 49,
      column: 22,
      message: '"80-8": the range is backwards; write "8-80"',
    },
  ]);
});

void test('load: unknown field points at the key and suggests the known field', () => {
  assert.deepEqual(located(`${HEAD}spec:\n  priorty: 100\n  subjects: {groups: [staff]}\n  rules: [{action: Allow}]\n`), [
    '5:3 spec.priorty: unknown field "priorty"; did you mean "priority"?',
  ]);
  assert.deepEqual(located(`${HEAD}spec:\n  subjects: {groups: [staff], clientCidrs: []}\n  rules: [{action: Allow}]\n`), [
    '5:31 spec.subjects.clientCidrs: unknown field "clientCidrs"; did you mean "clientCIDRs"?',
  ]);
});

void test('load: one test per kind of error, each at its exact position', () => {
  const spec = (body: string): string => `${HEAD}spec:\n${body}`;
  const cases: [string, string][] = [
    // wrong type
    [spec('  priority: "100"\n  subjects: {groups: [staff]}\n  rules: [{action: Allow}]\n'), '5:13 spec.priority: expected an integer from 0 to 1000000, found a string ("100"); remove the quotes'],
    // out of range
    [spec('  priority: 2000000\n  subjects: {groups: [staff]}\n  rules: [{action: Allow}]\n'), '5:13 spec.priority: 2000000 is out of range; expected an integer from 0 to 1000000'],
    // missing required field: points at the mapping that lacks it
    [spec('  subjects: {groups: [staff]}\n  rules:\n    - name: web\n      ports: [443]\n'), '7:7 spec.rules[0].action: missing required field "action" (expected one of "Allow", "Deny")'],
    // field present without a value: points at the key
    [spec('  subjects: {groups: [staff]}\n  rules:\n    - name: web\n      action:\n'), '8:7 spec.rules[0].action: field "action" has no value (expected one of "Allow", "Deny")'],
    // enum with a near miss
    [spec('  subjects: {groups: [staff]}\n  rules:\n    - action: allow\n'), '7:15 spec.rules[0].action: unknown action "allow"; expected one of "Allow", "Deny"; did you mean "Allow"?'],
    // empty subjects
    [spec('  subjects: {}\n  rules: [{action: Allow}]\n'), '5:13 spec.subjects: subjects match no one: list "users", "groups" or "clientCIDRs", or set "anonymous: true"'],
    // a scalar where a list is expected
    [spec('  subjects: {groups: staff}\n  rules: [{action: Allow}]\n'), '5:22 spec.subjects.groups: expected a list, found a string ("staff"); write ["staff"] for a single entry'],
    // host bits set
    [spec('  subjects: {clientCIDRs: ["10.1.0.0/8"]}\n  rules: [{action: Allow}]\n'), '5:28 spec.subjects.clientCIDRs[0]: "10.1.0.0/8" has host bits set; the network address is "10.0.0.0/8"'],
    // bad destination
    [spec('  subjects: {groups: [staff]}\n  rules:\n    - action: Allow\n      destinations: ["*"]\n'), '8:22 spec.rules[0].destinations[0]: "*" alone is not allowed; omit destinations to match any destination'],
    // bad port
    [spec('  subjects: {groups: [staff]}\n  rules:\n    - action: Allow\n      ports:\n        - 443\n        - 70000\n'), '10:11 spec.rules[0].ports[1]: port 70000 is out of range (1-65535)'],
    // duplicate command
    [spec('  subjects: {groups: [staff]}\n  rules:\n    - action: Allow\n      commands: [Connect, Connect]\n'), '8:27 spec.rules[0].commands[1]: duplicate command "Connect" (already listed at spec.rules[0].commands[0])'],
    // duplicate rule name
    [spec('  subjects: {groups: [staff]}\n  rules:\n    - {name: web, action: Allow}\n    - {name: web, action: Deny}\n'), '8:14 spec.rules[1].name: duplicate rule name "web" (also used by spec.rules[0].name; an unnamed rule is called rule-<index>)'],
    // bad name
    [spec('  subjects: {users: [Alice]}\n  rules: [{action: Allow}]\n'), '5:22 spec.subjects.users[0]: "Alice" is not a valid name: use lower-case letters, digits, "-" and ".", starting and ending with a letter or digit; did you mean "alice"?'],
    // no spec at all: points at the document's mapping
    [HEAD, '1:1 spec: missing required field "spec" (expected a mapping)'],
    // wrong apiVersion
    [HEAD.replace('v1alpha1', 'v1') + 'spec: {subjects: {anonymous: true}, rules: [{action: Allow}]}\n', '1:13 apiVersion: must be "sockscale.io/v1alpha1", found a string ("sockscale.io/v1")'],
    // unknown kind
    [HEAD.replace('SocksPolicy', 'SocksQuotum') + 'spec: {}\n', '2:7 kind: unknown kind "SocksQuotum"; expected one of "SocksUser", "SocksPolicy", "SocksQuota"; did you mean "SocksQuota"?'],
    // not a mapping at all
    ['- just\n- a list\n', '1:1 : expected a mapping, found a list'],
  ];
  for (const [text, expected] of cases) assert.deepEqual(located(text), [expected], text);
});

void test('load: user errors', () => {
  const text = 'apiVersion: sockscale.io/v1alpha1\nkind: SocksUser\nmetadata: {name: carol}\nspec:\n  password:\n    hash: "$2b$10$nope"\n  disabled: "false"\n';
  const got = located(text);
  assert.equal(got.length, 2);
  // The wording after the colon belongs to password/scrypt-hash.
  assert.match(got[0] ?? '', /^6:11 spec\.password\.hash: is not a valid password hash: ./);
  assert.equal(got[1], '7:13 spec.disabled: expected a boolean (true or false), found a string ("false"); remove the quotes: false');
  assert.deepEqual(located('apiVersion: sockscale.io/v1alpha1\nkind: SocksUser\nmetadata: {name: carol}\nspec:\n  password: {}\n'), [
    '5:13 spec.password: set exactly one of "hash" or "value" (plain text, embedded mode only)',
  ]);
});

void test('load: a file with several errors reports all of them, in file order', () => {
  const text = `apiVersion: sockscale.io/v1
kind: SocksPolicy
metadata: {name: Staff}
spec:
  priorty: 100
  subjects: {}
  rules:
    - action: allow
      commands: [Connect, connect]
      destinations: ["10.0.0.1/8", "*", "exa_mple.com"]
      ports: ["0-80", 70000, "90-80"]
---
kind: SocksUser
metadata: {name: x}
spec: {groups: staff, password: {hash: nope}}
`;
  const r = loadPolicyText(text, 'bad.yaml');
  assert.deepEqual(r.objects, []);
  assert.deepEqual(
    r.issues.map((i) => `${i.document}:${i.line}:${i.column} ${i.object} ${i.path}`),
    [
      '0:1:13 SocksPolicy/Staff apiVersion',
      '0:3:18 SocksPolicy/Staff metadata.name',
      '0:5:3 SocksPolicy/Staff spec.priorty',
      '0:6:13 SocksPolicy/Staff spec.subjects',
      '0:8:15 SocksPolicy/Staff spec.rules[0].action',
      '0:9:27 SocksPolicy/Staff spec.rules[0].commands[1]',
      '0:10:22 SocksPolicy/Staff spec.rules[0].destinations[0]',
      '0:10:36 SocksPolicy/Staff spec.rules[0].destinations[1]',
      '0:10:41 SocksPolicy/Staff spec.rules[0].destinations[2]',
      '0:11:15 SocksPolicy/Staff spec.rules[0].ports[0]',
      '0:11:23 SocksPolicy/Staff spec.rules[0].ports[1]',
      '0:11:30 SocksPolicy/Staff spec.rules[0].ports[2]',
      '1:13:1 SocksUser/x apiVersion',
      '1:15:16 SocksUser/x spec.groups',
      '1:15:40 SocksUser/x spec.password.hash',
    ],
  );
});

void test('load: YAML syntax errors carry file, line and column; other documents still load', () => {
  const text = `${LOCAL_EXAMPLE}---\nfoo: [1, 2\nbar: 3\n`;
  const r = loadPolicyText(text, 'broken.yaml');
  assert.equal(r.objects.length, 4);
  assert.equal(r.issues.length, 1);
  const [issue] = r.issues;
  assert.equal(issue?.file, 'broken.yaml');
  assert.equal(issue?.document, 4);
  assert.equal(issue?.path, '');
  assert.equal(issue?.line, 42);
  assert.equal(issue?.column, 1);
  assert.match(issue?.message ?? '', /^YAML: /);

  assert.deepEqual(located('kind: SocksUser\nmetadata: name: x\n'), ['2:11 : YAML: Nested mappings are not allowed in compact mappings']);
  assert.deepEqual(located(`${HEAD}spec: {subjects: {anonymous: true}, rules: [{action: Allow, action: Deny}]}\n`), [
    '4:61 : YAML: Map keys must be unique',
  ]);
  assert.deepEqual(located(`${HEAD}spec: {subjects: {anonymous: true}, rules: [{action: !weird Allow}]}\n`), [
    '4:54 : YAML: Unresolved tag: !weird',
  ]);
});

void test('load: empty documents are skipped, document indexes count them', () => {
  const user = 'apiVersion: sockscale.io/v1alpha1\nkind: SocksUser\nmetadata: {name: dave}\nspec: {password: {value: x}, disabled: 1}\n';
  const text = `# just a comment\n---\n---\n# another\n---\n${user}---\n`;
  const r = loadPolicyText(text, 't.yaml');
  assert.deepEqual(
    r.issues.map((i) => [i.document, i.line, i.path]),
    // A comment before the first `---` belongs to document 0, which is empty.
    [[2, 9, 'spec.disabled']],
  );
  assert.deepEqual(loadPolicyText('', 'empty.yaml'), { objects: [], issues: [] });
  assert.deepEqual(loadPolicyText('# nothing here\n', 'empty.yaml'), { objects: [], issues: [] });
});

void test('load: anchors and aliases are followed', () => {
  const text = `${HEAD}spec:\n  subjects: {groups: &g [staff]}\n  rules:\n    - {action: Allow, destinations: &d ["10.0.0.0/8"]}\n    - {action: Deny, destinations: *d, ports: [0-1]}\n`;
  assert.deepEqual(located(text), ['8:48 spec.rules[1].ports[0]: "0-1": port 0 is allowed only on its own ("0"), not in a range']);
});

void test('load: duplicate Kind/name is an issue at the second definition', () => {
  const user = (name: string): string => `apiVersion: sockscale.io/v1alpha1\nkind: SocksUser\nmetadata: {name: ${name}}\nspec: {password: {value: x}}\n`;
  const r = loadPolicyText(`${user('erin')}---\n${user('frank')}---\n${user('erin')}`, 'users.yaml');
  assert.deepEqual(
    r.objects.map((o) => o.metadata.name),
    ['erin', 'frank'],
  );
  assert.deepEqual(r.issues, [
    {
      file: 'users.yaml',
      document: 2,
      object: 'SocksUser/erin',
      path: 'metadata.name',
      line: 13,
      column: 18,
      message: 'duplicate SocksUser "erin"; already defined at users.yaml:3:18 (document 1)',
    },
  ]);
  // Same name, different kind: fine.
  const policy = `${HEAD.replace('name: p', 'name: erin')}spec: {subjects: {users: [erin]}, rules: [{action: Allow}]}\n`;
  assert.deepEqual(loadPolicyText(`${user('erin')}---\n${policy}`, 'x.yaml').issues, []);
});
