import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { API_VERSION, COMMANDS, type Command, type PolicySnapshot, type Rule, type SocksPolicy, type Subjects } from '@sockscale/common';
import { compilePolicy, mightAllowDomain, type Decision, type PolicyRequest, type Subject } from './index';
import { referenceAnonymousAllowed, referenceEvaluate, referenceMightAllowDomain } from './reference-evaluate';

function rule(name: string, action: 'Allow' | 'Deny', destinations: string[], ports: string[] = [], commands: Command[] = [...COMMANDS]): Rule {
  return { name, action, commands, destinations, ports };
}

function policy(name: string, priority: number, subjects: Partial<Subjects>, rules: Rule[]): SocksPolicy {
  return {
    apiVersion: API_VERSION,
    kind: 'SocksPolicy',
    metadata: { name },
    spec: { priority, subjects: { users: [], groups: [], anonymous: false, clientCIDRs: [], ...subjects }, rules },
  };
}

const snapshot: PolicySnapshot = {
  version: 7,
  users: [
    { apiVersion: API_VERSION, kind: 'SocksUser', metadata: { name: 'alice' }, spec: { groups: ['staff'], password: { value: 'a' }, disabled: false } },
    { apiVersion: API_VERSION, kind: 'SocksUser', metadata: { name: 'bob' }, spec: { groups: ['ops'], password: { value: 'b' }, disabled: false } },
  ],
  policies: [
    // Listed out of order on purpose: evaluation order is priority, then name.
    policy('catch-all', 300, { groups: ['ops'] }, [rule('everything', 'Allow', ['0.0.0.0/0', '::/0'])]),
    policy('anon-local', 200, { anonymous: true, clientCIDRs: ['127.0.0.0/8', '::1/128'] }, [rule('loopback', 'Allow', ['::1/128', '127.0.0.1'])]),
    policy('staff-lab', 100, { groups: ['staff'] }, [
      rule('no-canary', 'Deny', ['127.0.0.0/8'], ['25'], ['Connect']),
      rule('lab', 'Allow', ['127.0.0.0/8', '::1', 'localhost', '*.example.com']),
      rule('web', 'Allow', ['0.0.0.0/0', '::/0'], ['80', '443'], ['Connect']),
    ]),
    policy('anything', 400, { users: ['carol'] }, [rule('any-dest', 'Allow', [], ['1-65535'])]),
    policy('office', 500, { clientCIDRs: ['192.168.0.0/16'] }, [rule('office-web', 'Allow', ['93.184.216.0/24'], ['443'])]),
    policy('b-tie', 50, { users: ['dave'] }, [rule('allow-dns', 'Allow', ['8.8.8.8'])]),
    policy('a-tie', 50, { users: ['dave'] }, [rule('deny-dns', 'Deny', ['8.8.8.0/24'], ['53'])]),
    policy('link', 60, { users: ['erin'] }, [
      rule('metadata', 'Allow', ['169.254.169.254/32'], ['80']),
      rule('link-local', 'Allow', ['169.254.0.0/16'], ['8080']),
      rule('wide', 'Allow', ['168.0.0.0/6']),
    ]),
    policy('dns-pre', 70, { users: ['frank'] }, [
      rule('blocked', 'Deny', ['*.blocked.test', 'blocked.test']),
      rule('named', 'Allow', ['allowed.test']),
      rule('by-ip', 'Allow', ['203.0.113.0/24'], ['443']),
    ]),
  ],
};

const compiled = compilePolicy(snapshot);
const alice: Subject = { user: 'alice', groups: ['staff'], clientIp: '10.0.0.9' };
const bob: Subject = { user: 'bob', groups: ['ops'], clientIp: '10.0.0.9' };
const carol: Subject = { user: 'carol', groups: [], clientIp: '10.0.0.9' };
const anonLocal: Subject = { user: null, groups: [], clientIp: '127.0.0.1' };
const anonRemote: Subject = { user: null, groups: [], clientIp: '10.0.0.1' };

type Expect = [action: 'Allow' | 'Deny', policy: string | null, rule: string | null, reason: Decision['reason']];
const connect = (ip: string | undefined, port: number, domain?: string): PolicyRequest => ({
  command: 'Connect',
  destination: { ...(ip !== undefined ? { ip } : {}), ...(domain !== undefined ? { domain } : {}) },
  port,
});

const cases: [string, Subject, PolicyRequest, Expect][] = [
  ['alice to 127.0.0.1:25 denied by no-canary', alice, connect('127.0.0.1', 25), ['Deny', 'staff-lab', 'no-canary', 'rule']],
  ['alice to 127.0.0.1:80 allowed by lab', alice, connect('127.0.0.1', 80), ['Allow', 'staff-lab', 'lab', 'rule']],
  ['alice BIND 127.0.0.1:25 skips the Connect-only deny', alice, { command: 'Bind', destination: { ip: '127.0.0.1' }, port: 25 }, ['Allow', 'staff-lab', 'lab', 'rule']],
  ['alice to ::1 allowed by lab', alice, connect('::1', 8080), ['Allow', 'staff-lab', 'lab', 'rule']],
  ['alice to mapped ::ffff:127.0.0.1 is loopback', alice, connect('::ffff:127.0.0.1', 25), ['Deny', 'staff-lab', 'no-canary', 'rule']],
  ['alice to 8.8.8.8:443 allowed by web', alice, connect('8.8.8.8', 443), ['Allow', 'staff-lab', 'web', 'rule']],
  ['alice to 8.8.8.8:22 matches nothing', alice, connect('8.8.8.8', 22), ['Deny', null, null, 'no-match']],
  ['alice to 10.1.2.3:80 via 0.0.0.0/0 is special', alice, connect('10.1.2.3', 80), ['Deny', 'staff-lab', 'web', 'special-destination']],
  ['localhost resolved to 127.0.0.1 allowed', alice, connect('127.0.0.1', 80, 'localhost'), ['Allow', 'staff-lab', 'lab', 'rule']],
  ['localhost resolved to 10.0.0.5 (rebinding) is special', alice, connect('10.0.0.5', 80, 'localhost'), ['Deny', 'staff-lab', 'lab', 'special-destination']],
  ['LOCALHOST. before resolution allowed', alice, connect(undefined, 80, 'LOCALHOST.'), ['Allow', 'staff-lab', 'lab', 'rule']],
  ['*.example.com matches a.example.com', alice, connect(undefined, 22, 'a.example.com'), ['Allow', 'staff-lab', 'lab', 'rule']],
  ['*.example.com matches A.B.Example.COM.', alice, connect(undefined, 22, 'A.B.Example.COM.'), ['Allow', 'staff-lab', 'lab', 'rule']],
  ['*.example.com does not match example.com', alice, connect(undefined, 22, 'example.com'), ['Deny', null, null, 'no-match']],
  ['*.example.com does not match badexample.com', alice, connect(undefined, 22, 'badexample.com'), ['Deny', null, null, 'no-match']],
  ['a.example.com resolved to a public address', alice, connect('93.184.216.34', 22, 'a.example.com'), ['Allow', 'staff-lab', 'lab', 'rule']],
  ['a.example.com resolved to 169.254.169.254', alice, connect('169.254.169.254', 22, 'a.example.com'), ['Deny', 'staff-lab', 'lab', 'special-destination']],
  ['anonymous from 127.0.0.1 allowed to ::1', anonLocal, connect('::1', 8080), ['Allow', 'anon-local', 'loopback', 'rule']],
  ['anonymous from 127.0.0.1 not to 127.0.0.2', anonLocal, connect('127.0.0.2', 8080), ['Deny', null, null, 'no-match']],
  ['anonymous from 10.0.0.1 gets nothing', anonRemote, connect('::1', 8080), ['Deny', null, null, 'no-match']],
  ['0.0.0.0/0 does not open 127.0.0.1', bob, connect('127.0.0.1', 80), ['Deny', 'catch-all', 'everything', 'special-destination']],
  ['0.0.0.0/0 does not open 10.1.2.3', bob, connect('10.1.2.3', 80), ['Deny', 'catch-all', 'everything', 'special-destination']],
  ['0.0.0.0/0 does not open 169.254.169.254', bob, connect('169.254.169.254', 80), ['Deny', 'catch-all', 'everything', 'special-destination']],
  ['0.0.0.0/0 does not open ::ffff:127.0.0.1', bob, connect('::ffff:127.0.0.1', 80), ['Deny', 'catch-all', 'everything', 'special-destination']],
  ['::/0 does not open ::1', bob, connect('::1', 80), ['Deny', 'catch-all', 'everything', 'special-destination']],
  ['::/0 does not open fd00:ec2::254', bob, connect('fd00:ec2::254', 80), ['Deny', 'catch-all', 'everything', 'special-destination']],
  ['::/0 does not open fe80::1%eth0', bob, connect('fe80::1%eth0', 80), ['Deny', 'catch-all', 'everything', 'special-destination']],
  ['0.0.0.0/0 does not open 0.0.0.0', bob, connect('0.0.0.0', 80), ['Deny', 'catch-all', 'everything', 'special-destination']],
  ['0.0.0.0/0 does not open 255.255.255.255', bob, connect('255.255.255.255', 80), ['Deny', 'catch-all', 'everything', 'special-destination']],
  ['0.0.0.0/0 does not open 100.64.1.1', bob, connect('100.64.1.1', 80), ['Deny', 'catch-all', 'everything', 'special-destination']],
  ['0.0.0.0/0 opens 8.8.8.8', bob, connect('8.8.8.8', 80), ['Allow', 'catch-all', 'everything', 'rule']],
  ['::/0 opens 2001:db8::1', bob, connect('2001:db8::1', 80), ['Allow', 'catch-all', 'everything', 'rule']],
  ['0.0.0.0/0 does not match a bare domain', bob, connect(undefined, 80, 'example.org'), ['Deny', null, null, 'no-match']],
  ['empty destinations do not open 127.0.0.1', carol, connect('127.0.0.1', 80), ['Deny', 'anything', 'any-dest', 'special-destination']],
  ['empty destinations match a domain', carol, connect(undefined, 80, 'example.org'), ['Allow', 'anything', 'any-dest', 'rule']],
  ['empty destinations with port 1-65535 do not match port 0', carol, connect('8.8.8.8', 0), ['Deny', null, null, 'no-match']],
  ['clientCIDR-only policy applies to authenticated users there', { user: 'zed', groups: [], clientIp: '192.168.4.4' }, connect('93.184.216.34', 443), ['Allow', 'office', 'office-web', 'rule']],
  ['clientCIDR-only policy not from elsewhere', { user: 'zed', groups: [], clientIp: '10.9.9.9' }, connect('93.184.216.34', 443), ['Deny', null, null, 'no-match']],
  ['clientCIDR-only policy never applies to anonymous', { user: null, groups: [], clientIp: '192.168.4.4' }, connect('93.184.216.34', 443), ['Deny', null, null, 'no-match']],
  ['equal priority: a-tie runs before b-tie', { user: 'dave', groups: [], clientIp: '1.1.1.1' }, connect('8.8.8.8', 53), ['Deny', 'a-tie', 'deny-dns', 'rule']],
  ['equal priority: b-tie after a-tie misses', { user: 'dave', groups: [], clientIp: '1.1.1.1' }, connect('8.8.8.8', 443), ['Allow', 'b-tie', 'allow-dns', 'rule']],
  ['metadata named exactly', { user: 'erin', groups: [], clientIp: '1.1.1.1' }, connect('169.254.169.254', 80), ['Allow', 'link', 'metadata', 'rule']],
  ['169.254.0.0/16 names link-local, metadata included', { user: 'erin', groups: [], clientIp: '1.1.1.1' }, connect('169.254.169.254', 8080), ['Allow', 'link', 'link-local', 'rule']],
  ['a wider prefix covering a special range does not name it', { user: 'erin', groups: [], clientIp: '1.1.1.1' }, connect('169.254.1.1', 22), ['Deny', 'link', 'wide', 'special-destination']],
  ['unparsable ip is refused', bob, connect('0x7f.1', 80), ['Deny', null, null, 'no-match']],
  ['port out of range is refused', carol, connect('8.8.8.8', 70000), ['Deny', null, null, 'no-match']],
  ['UDP datagram to 8.8.8.8:53', bob, { command: 'UdpAssociate', destination: { ip: '8.8.8.8' }, port: 53 }, ['Allow', 'catch-all', 'everything', 'rule']],
];

describe('compilePolicy semantics', () => {
  for (const [name, subject, request, [action, policyName, ruleName, reason]] of cases) {
    it(name, () => {
      const expected = { action, policy: policyName, rule: ruleName, reason };
      assert.deepEqual({ ...compiled.forSubject(subject).evaluate(request) }, expected);
      assert.deepEqual(referenceEvaluate(snapshot, subject, request), expected, 'reference evaluator disagrees');
    });
  }

  it('anonymousAllowed follows the anonymous policies and their clientCIDRs', () => {
    for (const [ip, expected] of [
      ['127.0.0.1', true],
      ['127.9.9.9', true],
      ['::1', true],
      ['::ffff:127.0.0.1', true],
      ['10.0.0.1', false],
      ['::2', false],
      ['garbage', false],
    ] as const) {
      assert.equal(compiled.anonymousAllowed(ip), expected, ip);
      assert.equal(referenceAnonymousAllowed(snapshot, ip), expected, ip);
    }
    assert.equal(compilePolicy({ ...snapshot, policies: [policy('open', 1, { anonymous: true }, [])] }).anonymousAllowed('10.0.0.1'), true);
    assert.equal(compilePolicy({ ...snapshot, policies: [] }).anonymousAllowed('127.0.0.1'), false);
  });

  it('forSubject lists the applicable policies in order and memoises', () => {
    assert.deepEqual(compiled.forSubject(alice).policies, ['staff-lab']);
    assert.deepEqual(compiled.forSubject({ user: 'alice', groups: ['staff', 'ops'], clientIp: '192.168.0.1' }).policies, ['staff-lab', 'catch-all', 'office']);
    assert.deepEqual(compiled.forSubject(anonLocal).policies, ['anon-local']);
    assert.deepEqual(compiled.forSubject(anonRemote).policies, []);
    assert.equal(compiled.forSubject(alice).ruleCount, 3);
    // Same applicable set, same compiled rules: memoised across users.
    assert.equal(compiled.forSubject({ user: 'zoe', groups: ['staff'], clientIp: '1.1.1.1' }), compiled.forSubject(alice));
  });

  it('forSubject keys its subject cache by user, groups and client address (cache of one)', () => {
    const small = compilePolicy(snapshot, { subjectCacheSize: 1 });
    const cases: [Subject, string[]][] = [
      [alice, ['staff-lab']],
      [{ user: 'alice', groups: ['staff', 'ops'], clientIp: '192.168.0.1' }, ['staff-lab', 'catch-all', 'office']],
      [{ user: 'alice', groups: ['staff', 'ops'], clientIp: '1.1.1.1' }, ['staff-lab', 'catch-all']],
      [{ user: 'alice', groups: ['staffops'], clientIp: '1.1.1.1' }, []],
      [anonLocal, ['anon-local']],
      [{ ...anonLocal, user: null, groups: [] }, ['anon-local']],
      [anonRemote, []],
    ];
    // Twice round, alternating subjects: every hit and every eviction must give the same answer.
    for (let round = 0; round < 2; round++) for (const [subject, policies] of cases) assert.deepEqual(small.forSubject(subject).policies, policies, JSON.stringify(subject));
    const again = compilePolicy(snapshot);
    assert.equal(again.forSubject(alice), again.forSubject({ ...alice }));
  });

  it('exposes version, users and rule count', () => {
    assert.equal(compiled.version, 7);
    assert.deepEqual(compiled.users.get('alice')?.spec.groups, ['staff']);
    assert.equal(compiled.users.get('nobody'), undefined);
    assert.equal(compiled.ruleCount, 15);
  });

  it('returns shared frozen results', () => {
    const rules = compiled.forSubject(alice);
    const a = rules.evaluate(connect('127.0.0.1', 80));
    const b = rules.evaluate(connect('127.0.0.2', 81));
    assert.equal(a, b);
    assert.ok(Object.isFrozen(a));
    assert.ok(Object.isFrozen(rules.evaluate(connect('8.8.8.8', 22))));
  });

  it('mightAllowDomain: a domain-matching Deny first means no resolution can pass', () => {
    const frank = compiled.forSubject({ user: 'frank', groups: [], clientIp: '1.1.1.1' });
    const check = (domain: string, port: number, expected: boolean): void => {
      assert.equal(frank.mightAllowDomain('Connect', domain, port), expected, `${domain}:${port}`);
      assert.equal(mightAllowDomain(frank, 'Connect', domain, port), expected);
      assert.equal(referenceMightAllowDomain(snapshot, { user: 'frank', groups: [], clientIp: '1.1.1.1' }, 'Connect', domain, port), expected);
    };
    check('x.blocked.test', 443, false);
    check('blocked.test', 443, false);
    check('allowed.test', 80, true);
    check('other.test', 80, false);
    check('other.test', 443, true); // by-ip might match once resolved
    const bobRules = compiled.forSubject(bob);
    assert.equal(bobRules.mightAllowDomain('Connect', 'anything.example', 80), true);
    assert.equal(compiled.forSubject(anonRemote).mightAllowDomain('Connect', 'example.com', 80), false);
    assert.equal(compiled.forSubject(alice).mightAllowDomain('Connect', 'example.com', 22), true); // lab has CIDRs
    assert.equal(compiled.forSubject(alice).mightAllowDomain('Connect', 'example.com', 70000), false);
  });

  it('permits: whether any applicable Allow rule lists the command', () => {
    const lab = compiled.forSubject(alice);
    assert.equal(lab.permits('Bind'), true);
    assert.equal(compiled.forSubject({ user: 'frank', groups: [], clientIp: '1.1.1.1' }).permits('UdpAssociate'), true);
    assert.equal(compiled.forSubject(anonRemote).permits('Connect'), false);
    const connectOnly = compilePolicy({ ...snapshot, policies: [policy('c', 1, { users: ['u'] }, [rule('r', 'Allow', [], [], ['Connect']), rule('d', 'Deny', [], [], ['Bind'])])] });
    const u = connectOnly.forSubject({ user: 'u', groups: [], clientIp: '1.1.1.1' });
    assert.deepEqual(
      COMMANDS.map((c) => u.permits(c)),
      [true, false, false],
    );
  });

  it('compiles an empty snapshot', () => {
    const empty = compilePolicy({ version: 1, users: [], policies: [] });
    const rules = empty.forSubject(alice);
    assert.deepEqual({ ...rules.evaluate(connect('8.8.8.8', 80)) }, { action: 'Deny', policy: null, rule: null, reason: 'no-match' });
    assert.equal(rules.mightAllowDomain('Connect', 'example.com', 80), false);
    assert.equal(empty.ruleCount, 0);
  });
});
