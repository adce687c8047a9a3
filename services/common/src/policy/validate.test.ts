import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validateObject } from './validate';
import type { ValidationIssue } from '../errors/sockscale-error';

const HASH = '$scrypt$ln=15,r=8,p=1$c2FsdHNhbHRzYWx0c2FsdA==$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g=';

function policy(spec: Record<string, unknown>, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { apiVersion: 'sockscale.io/v1alpha1', kind: 'SocksPolicy', metadata: { name: 'p' }, spec, ...extra };
}
function user(spec: Record<string, unknown>): Record<string, unknown> {
  return { apiVersion: 'sockscale.io/v1alpha1', kind: 'SocksUser', metadata: { name: 'u' }, spec };
}
const subjects = { groups: ['staff'] };
const allow = { action: 'Allow' };

/** [path, message] pairs, for exact comparison. */
function issues(input: unknown, ctx?: { allowPlaintextPasswords?: boolean }): [string, string][] {
  const r = validateObject(input, ctx);
  if (r.issues.length > 0) assert.equal(r.object, undefined, 'an invalid object must not be returned');
  return r.issues.map((i: ValidationIssue) => [i.path, i.message]);
}

void test('validateObject: fills every default', () => {
  const r = validateObject(policy({ subjects, rules: [allow, { name: 'second', action: 'Deny' }] }));
  assert.deepEqual(r.issues, []);
  assert.deepEqual(r.object, {
    apiVersion: 'sockscale.io/v1alpha1',
    kind: 'SocksPolicy',
    metadata: { name: 'p' },
    spec: {
      priority: 1000,
      subjects: { users: [], groups: ['staff'], anonymous: false, clientCIDRs: [] },
      rules: [
        { name: 'rule-0', action: 'Allow', commands: ['Connect', 'Bind', 'UdpAssociate'], destinations: [], ports: [] },
        { name: 'second', action: 'Deny', commands: ['Connect', 'Bind', 'UdpAssociate'], destinations: [], ports: [] },
      ],
    },
  });
  const u = validateObject(user({ password: { hash: HASH } }));
  assert.deepEqual(u.issues, []);
  assert.deepEqual(u.object?.spec, { groups: [], password: { hash: HASH }, disabled: false });
});

void test('validateObject: normalises ports, destinations; null means absent', () => {
  const r = validateObject(
    policy({ priority: null, subjects, rules: [{ action: 'Allow', ports: [443, '8000-8080'], destinations: ['Example.COM', '*.Corp.example'], commands: null }] }),
  );
  assert.deepEqual(r.issues, []);
  assert.ok(r.object?.kind === 'SocksPolicy');
  assert.equal(r.object.spec.priority, 1000);
  assert.deepEqual(r.object.spec.rules[0], {
    name: 'rule-0',
    action: 'Allow',
    commands: ['Connect', 'Bind', 'UdpAssociate'],
    destinations: ['example.com', '*.corp.example'],
    ports: ['443', '8000-8080'],
  });
});

void test('validateObject: does not modify its input', () => {
  const input = policy({ subjects, rules: [{ action: 'Allow', destinations: ['EXAMPLE.com'] }] });
  const copy = structuredClone(input);
  validateObject(input);
  assert.deepEqual(input, copy);
});

void test('validateObject: envelope errors', () => {
  assert.deepEqual(issues('hello'), [['', 'expected a mapping, found a string ("hello")']]);
  assert.deepEqual(issues({}), [
    ['apiVersion', 'missing required field "apiVersion" (expected "sockscale.io/v1alpha1")'],
    ['kind', 'missing required field "kind" (expected one of "SocksUser", "SocksPolicy", "SocksQuota")'],
    ['metadata', 'missing required field "metadata" (expected a mapping)'],
  ]);
  assert.deepEqual(issues(policy({ subjects, rules: [allow] }, { apiVersion: 'sockscale.io/v1' })), [
    ['apiVersion', 'must be "sockscale.io/v1alpha1", found a string ("sockscale.io/v1")'],
  ]);
  assert.deepEqual(issues(policy({ subjects, rules: [allow] }, { kind: 'SocksQuotum' })), [
    ['kind', 'unknown kind "SocksQuotum"; expected one of "SocksUser", "SocksPolicy", "SocksQuota"; did you mean "SocksQuota"?'],
  ]);
  assert.deepEqual(issues(policy({ subjects, rules: [allow] }, { kind: 'SocksPolicys' })), [
    ['kind', 'unknown kind "SocksPolicys"; expected one of "SocksUser", "SocksPolicy", "SocksQuota"; did you mean "SocksPolicy"?'],
  ]);
  assert.deepEqual(issues(policy({ subjects, rules: [allow] }, { metadata: {} })), [
    ['metadata.name', 'missing required field "name" (expected a name such as "staff-lab")'],
  ]);
  assert.deepEqual(issues(policy({ subjects, rules: [allow] }, { metadata: { name: 'Staff_Lab' } })), [
    ['metadata.name', '"Staff_Lab" is not a valid name: use lower-case letters, digits, "-" and ".", starting and ending with a letter or digit'],
  ]);
  assert.deepEqual(issues(policy({ subjects, rules: [allow] }, { metadata: { name: 'a'.repeat(254) } })), [
    ['metadata.name', 'name is 254 characters long; the limit is 253'],
  ]);
  assert.deepEqual(issues(policy({ subjects, rules: [allow] }, { status: {} })), [
    ['status', 'unknown field "status"; expected one of "apiVersion", "kind", "metadata", "spec"'],
  ]);
});

void test('validateObject: issues carry the object key when the input names one', () => {
  const r = validateObject(policy({ subjects, rules: [{}] }, { metadata: { name: 'staff-lab' } }));
  assert.deepEqual(r.issues, [
    { path: 'spec.rules[0].action', message: 'missing required field "action" (expected one of "Allow", "Deny")', object: 'SocksPolicy/staff-lab' },
  ]);
});

void test('validateObject: metadata keeps labels and drops server-populated fields', () => {
  const r = validateObject(
    policy({ subjects, rules: [allow] }, {
      metadata: { name: 'p', namespace: 'default', labels: { 'app.kubernetes.io/name': 'x' }, uid: 'abc', resourceVersion: '7', generation: 3 },
    }),
  );
  assert.deepEqual(r.issues, []);
  assert.deepEqual(r.object?.metadata, { name: 'p', namespace: 'default', labels: { 'app.kubernetes.io/name': 'x' }, generation: 3 });
  assert.deepEqual(issues(policy({ subjects, rules: [allow] }, { metadata: { name: 'p', labels: { tier: 1 } } })), [
    ['metadata.labels.tier', 'expected a string, found an integer (1)'],
  ]);
  assert.deepEqual(issues(policy({ subjects, rules: [allow] }, { metadata: { name: 'p', namespace: 'a.b' } })), [
    ['metadata.namespace', '"a.b" is not a valid namespace: use lower-case letters, digits and "-", starting and ending with a letter or digit'],
  ]);
});

void test('validateObject: unknown fields suggest a close known field', () => {
  assert.deepEqual(issues(policy({ priorty: 5, subjects, rules: [allow] })), [['spec.priorty', 'unknown field "priorty"; did you mean "priority"?']]);
  assert.deepEqual(issues(policy({ subjects: { groups: ['a'], clientCidrs: [] }, rules: [allow] })), [
    ['spec.subjects.clientCidrs', 'unknown field "clientCidrs"; did you mean "clientCIDRs"?'],
  ]);
  assert.deepEqual(issues(policy({ subjects, rules: [{ action: 'Allow', destination: ['a.b'] }] })), [
    ['spec.rules[0].destination', 'unknown field "destination"; did you mean "destinations"?'],
  ]);
  assert.deepEqual(issues(policy({ subjects, rules: [allow], owner: 'x' })), [
    ['spec.owner', 'unknown field "owner"; expected one of "priority", "subjects", "rules"'],
  ]);
});

void test('validateObject: policy spec errors', () => {
  const cases: [Record<string, unknown>, [string, string][]][] = [
    [{ subjects, rules: [allow], priority: '100' }, [['spec.priority', 'expected an integer from 0 to 1000000, found a string ("100"); remove the quotes']]],
    [{ subjects, rules: [allow], priority: 1.5 }, [['spec.priority', 'expected an integer from 0 to 1000000, found a number (1.5)']]],
    [{ subjects, rules: [allow], priority: -1 }, [['spec.priority', '-1 is out of range; expected an integer from 0 to 1000000']]],
    [{ subjects, rules: [allow], priority: 1_000_001 }, [['spec.priority', '1000001 is out of range; expected an integer from 0 to 1000000']]],
    [{ rules: [allow] }, [['spec.subjects', 'missing required field "subjects" (expected a mapping)']]],
    [{ subjects: {}, rules: [allow] }, [['spec.subjects', 'subjects match no one: list "users", "groups" or "clientCIDRs", or set "anonymous: true"']]],
    [
      { subjects: { users: [], groups: [], anonymous: false, clientCIDRs: [] }, rules: [allow] },
      [['spec.subjects', 'subjects match no one: list "users", "groups" or "clientCIDRs", or set "anonymous: true"']],
    ],
    [{ subjects: { anonymous: 'yes' }, rules: [allow] }, [['spec.subjects.anonymous', 'expected a boolean (true or false), found a string ("yes")']]],
    [{ subjects: { anonymous: 'true' }, rules: [allow] }, [['spec.subjects.anonymous', 'expected a boolean (true or false), found a string ("true"); remove the quotes: true']]],
    [{ subjects: { groups: 'staff' }, rules: [allow] }, [['spec.subjects.groups', 'expected a list, found a string ("staff"); write ["staff"] for a single entry']]],
    [{ subjects: { users: ['Bob'] }, rules: [allow] }, [['spec.subjects.users[0]', '"Bob" is not a valid name: use lower-case letters, digits, "-" and ".", starting and ending with a letter or digit; did you mean "bob"?']]],
    [{ subjects: { clientCIDRs: ['10.0.0.1/8'] }, rules: [allow] }, [['spec.subjects.clientCIDRs[0]', '"10.0.0.1/8" has host bits set; the network address is "10.0.0.0/8"']]],
    [{ subjects: { clientCIDRs: ['office'] }, rules: [allow] }, [['spec.subjects.clientCIDRs[0]', '"office" is not an IPv4 or IPv6 address or CIDR']]],
    [{ subjects }, [['spec.rules', 'missing required field "rules" (expected a list)']]],
    [{ subjects, rules: [] }, [['spec.rules', 'a policy needs at least one rule']]],
    [{ subjects, rules: [null] }, [['spec.rules[0]', 'expected a mapping, found null']]],
    [{ subjects, rules: [{}] }, [['spec.rules[0].action', 'missing required field "action" (expected one of "Allow", "Deny")']]],
    [{ subjects, rules: [{ action: 'allow' }] }, [['spec.rules[0].action', 'unknown action "allow"; expected one of "Allow", "Deny"; did you mean "Allow"?']]],
    [{ subjects, rules: [{ action: 'Permit' }] }, [['spec.rules[0].action', 'unknown action "Permit"; expected one of "Allow", "Deny"']]],
    [
      { subjects, rules: [{ action: 'Allow', commands: ['Connect', 'UDPAssociate'] }] },
      [['spec.rules[0].commands[1]', 'unknown command "UDPAssociate"; expected one of "Connect", "Bind", "UdpAssociate"; did you mean "UdpAssociate"?']],
    ],
    [
      { subjects, rules: [{ action: 'Allow', commands: ['Bind', 'Connect', 'Bind'] }] },
      [['spec.rules[0].commands[2]', 'duplicate command "Bind" (already listed at spec.rules[0].commands[0])']],
    ],
    [
      { subjects, rules: [{ action: 'Allow', commands: [] }] },
      [['spec.rules[0].commands', 'an empty list matches no request; omit "commands" to match all commands']],
    ],
    [
      { subjects, rules: [{ action: 'Allow', name: 'x' }, { action: 'Deny', name: 'x' }] },
      [['spec.rules[1].name', 'duplicate rule name "x" (also used by spec.rules[0].name; an unnamed rule is called rule-<index>)']],
    ],
    [
      { subjects, rules: [{ action: 'Allow', name: 'rule-1' }, { action: 'Deny' }] },
      [['spec.rules[1].name', 'duplicate rule name "rule-1" (also used by spec.rules[0].name; an unnamed rule is called rule-<index>)']],
    ],
    [
      { subjects, rules: [{ action: 'Allow', destinations: ['*'] }] },
      [['spec.rules[0].destinations[0]', '"*" alone is not allowed; omit destinations to match any destination']],
    ],
    [
      { subjects, rules: [{ action: 'Allow', destinations: [10] }] },
      [['spec.rules[0].destinations[0]', 'expected a CIDR, a domain name or a "*.suffix" wildcard, found an integer (10)']],
    ],
    [{ subjects, rules: [{ action: 'Allow', ports: [true] }] }, [['spec.rules[0].ports[0]', 'expected a port number or a "LO-HI" range, found a boolean (true)']]],
    [{ subjects, rules: [{ action: 'Allow', ports: ['0-1024'] }] }, [['spec.rules[0].ports[0]', '"0-1024": port 0 is allowed only on its own ("0"), not in a range']]],
  ];
  for (const [spec, expected] of cases) assert.deepEqual(issues(policy(spec)), expected, JSON.stringify(spec));
});

void test('validateObject: user spec errors', () => {
  const plain = { password: { value: 'wonderland' } };
  assert.deepEqual(issues(user(plain)), [
    ['spec.password.value', 'plain-text passwords are accepted only in embedded mode; use "hash" (the output of "sockscale hash-password") or a Secret'],
  ]);
  assert.deepEqual(validateObject(user(plain), { allowPlaintextPasswords: true }).object?.spec, { groups: [], password: { value: 'wonderland' }, disabled: false });
  const cases: [Record<string, unknown>, [string, string][]][] = [
    [{}, [['spec.password', 'missing required field "password" (expected a mapping)']]],
    [{ password: {} }, [['spec.password', 'set exactly one of "hash" or "value" (plain text, embedded mode only)']]],
    [{ password: { value: 'x', hash: HASH } }, [['spec.password', 'set only one of "hash" and "value", not both']]],
    [{ password: { value: '' } }, [['spec.password.value', 'must not be empty']]],
    // The password itself is never echoed in a message.
    [{ password: { value: 12345 } }, [['spec.password.value', 'expected a string, found a number']]],
    [{ password: { hash: HASH }, disabled: 'no' }, [['spec.disabled', 'expected a boolean (true or false), found a string ("no")']]],
    [{ password: { hash: HASH }, groups: ['ok', 'Not OK'] }, [['spec.groups[1]', '"Not OK" is not a valid name: use lower-case letters, digits, "-" and ".", starting and ending with a letter or digit']]],
    [{ password: { hash: HASH }, group: ['staff'] }, [['spec.group', 'unknown field "group"; did you mean "groups"?']]],
  ];
  for (const [spec, expected] of cases) assert.deepEqual(issues(user(spec), { allowPlaintextPasswords: true }), expected, JSON.stringify(spec));
});

void void test('validateObject: password hashes are checked by the password module (cheaply)', () => {
  const salt = 'c2FsdHNhbHRzYWx0c2FsdA==';
  const key = 'aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g=';
  const ok = [HASH, `$scrypt$ln=17,r=8,p=1$${salt}$${key}`];
  const bad = [
    '$2b$10$abcdefghijklmnopqrstuv',
    `$scrypt$ln=15,r=8$${salt}$${key}`,
    `$scrypt$ln=x,r=8,p=1$${salt}$${key}`,
    `$scrypt$ln=15,r=8,p=1$${salt}`,
    `scrypt$ln=15,r=8,p=1$${salt}$${key}`,
    `$scrypt$ln=15,r=8,p=1$YW Jj$${key}`,
    `$scrypt$ln=15,r=8,p=1$YWJj$${key}`, // salt too short
  ];
  for (const hash of ok) assert.deepEqual(issues(user({ password: { hash } })), [], hash);
  for (const hash of bad) {
    const got = issues(user({ password: { hash } }));
    assert.equal(got.length, 1, hash);
    assert.equal(got[0]?.[0], 'spec.password.hash');
    assert.match(got[0]?.[1] ?? '', /^is not a valid password hash: ./, hash);
  }
});

void test('validateObject: reports every issue, not just the first', () => {
  const got = issues({
    apiVersion: 'v1',
    kind: 'SocksPolicy',
    metadata: { name: 'p', colour: 'red' },
    spec: {
      priority: 'high',
      subjects: {},
      rules: [{ action: 'Maybe', ports: ['0-1'], destinations: ['*'] }, { name: 'Bad Name' }],
    },
  });
  assert.deepEqual(got, [
    ['apiVersion', 'must be "sockscale.io/v1alpha1", found a string ("v1")'],
    ['metadata.colour', 'unknown field "colour"; expected one of "name", "namespace", "labels", "annotations", "generation"'],
    ['spec.priority', 'expected an integer from 0 to 1000000, found a string ("high")'],
    ['spec.subjects', 'subjects match no one: list "users", "groups" or "clientCIDRs", or set "anonymous: true"'],
    ['spec.rules[0].action', 'unknown action "Maybe"; expected one of "Allow", "Deny"'],
    ['spec.rules[0].destinations[0]', '"*" alone is not allowed; omit destinations to match any destination'],
    ['spec.rules[0].ports[0]', '"0-1": port 0 is allowed only on its own ("0"), not in a range'],
    ['spec.rules[1].name', '"Bad Name" is not a valid name: use lower-case letters, digits, "-" and ".", starting and ending with a letter or digit'],
    ['spec.rules[1].action', 'missing required field "action" (expected one of "Allow", "Deny")'],
  ]);
});
