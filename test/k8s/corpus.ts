/**
 * Good and bad SocksPolicy/SocksUser/SocksQuota objects in their Kubernetes form. The TypeScript validator
 * (cluster mode) and the real API server (the generated CRDs) must agree on every one:
 * test/k8s/corpus-validator.test.ts and apiserver.test.ts. `k8s` is a piece of the message
 * kubectl must print for a bad object (the field path, usually), so refusals stay clear.
 */
import { LIST_LIMITS } from '@sockscale/common';

export interface CorpusCase {
  name: string;
  valid: boolean;
  object: Record<string, unknown>;
  k8s?: string;
}

const HASH = '$scrypt$ln=15,r=8,p=1$c2FsdHNhbHRzYWx0c2FsdA==$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g=';
const SALT = 'c2FsdHNhbHRzYWx0c2FsdA==';
const KEY = 'aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g=';

let n = 0;
function policy(spec: Record<string, unknown>): Record<string, unknown> {
  n += 1;
  return { apiVersion: 'sockscale.io/v1alpha1', kind: 'SocksPolicy', metadata: { name: `p${n}` }, spec };
}
function user(spec: Record<string, unknown>): Record<string, unknown> {
  n += 1;
  return { apiVersion: 'sockscale.io/v1alpha1', kind: 'SocksUser', metadata: { name: `u${n}` }, spec };
}
function quota(spec: Record<string, unknown>): Record<string, unknown> {
  n += 1;
  return { apiVersion: 'sockscale.io/v1alpha1', kind: 'SocksQuota', metadata: { name: `q${n}` }, spec };
}
const monthly = { type: 'Monthly' };
const subjects = { groups: ['staff'] };
const allow = { action: 'Allow' };
const rule = (r: Record<string, unknown>) => policy({ subjects, rules: [{ action: 'Allow', ...r }] });

export const CORPUS: CorpusCase[] = [
  // ---- SocksPolicy, good
  { name: 'minimal policy', valid: true, object: policy({ subjects, rules: [allow] }) },
  {
    name: 'every field',
    valid: true,
    object: policy({
      priority: 10,
      subjects: { users: ['alice', 'bob.smith'], groups: ['staff'], anonymous: false, clientCIDRs: ['10.0.0.0/8', '2001:db8::/32', '192.0.2.7'] },
      rules: [
        { name: 'no-canary', action: 'Deny', commands: ['Connect'], destinations: ['127.0.0.1/32'] },
        { name: 'web', action: 'Allow', commands: ['Connect', 'UdpAssociate'], destinations: ['10.1.0.0/16', 'example.com', '*.Example.ORG', '2001:db8::1', 'localhost'], ports: [443, '8000-8080', '0', 65535] },
        { action: 'Allow', commands: ['Bind'] },
      ],
    }),
  },
  { name: 'anonymous only', valid: true, object: policy({ subjects: { anonymous: true }, rules: [allow] }) },
  { name: 'client CIDRs only, priority 0', valid: true, object: policy({ priority: 0, subjects: { clientCIDRs: ['0.0.0.0/0', '::/0'] }, rules: [allow] }) },
  { name: 'port range 1-65535', valid: true, object: rule({ ports: ['1-65535', '22'] }) },
  { name: 'max priority', valid: true, object: policy({ priority: 1_000_000, subjects, rules: [allow] }) },
  { name: 'destinations at the limit', valid: true, object: rule({ destinations: Array.from({ length: LIST_LIMITS.destinations }, (_, i) => `h${i}.example.com`) }) },
  { name: 'rules at the limit', valid: true, object: policy({ subjects, rules: Array.from({ length: LIST_LIMITS.rules }, (_, i) => ({ name: `r${i}`, action: 'Allow', ports: [1000 + i] })) }) },
  { name: 'domain with digits and hyphens', valid: true, object: rule({ destinations: ['1-2.example', 'a1.b2.c3', 'xn--bcher-kva.example', '*.corp-1.example'] }) },
  // ---- SocksPolicy, bad
  { name: 'priority below 0', valid: false, object: policy({ priority: -1, subjects, rules: [allow] }), k8s: 'spec.priority' },
  { name: 'priority above 1000000', valid: false, object: policy({ priority: 1_000_001, subjects, rules: [allow] }), k8s: 'spec.priority' },
  { name: 'priority as a string', valid: false, object: policy({ priority: '100', subjects, rules: [allow] }), k8s: 'spec.priority' },
  { name: 'unknown field (typo)', valid: false, object: policy({ priorty: 5, subjects, rules: [allow] }), k8s: 'priorty' },
  { name: 'no subjects', valid: false, object: policy({ rules: [allow] }), k8s: 'spec.subjects' },
  { name: 'subjects match no one', valid: false, object: policy({ subjects: {}, rules: [allow] }), k8s: 'subjects match no one' },
  { name: 'subjects all empty', valid: false, object: policy({ subjects: { users: [], anonymous: false }, rules: [allow] }), k8s: 'subjects match no one' },
  { name: 'no rules', valid: false, object: policy({ subjects, rules: [] }), k8s: 'spec.rules' },
  { name: 'rule without action', valid: false, object: policy({ subjects, rules: [{ name: 'x' }] }), k8s: 'action' },
  { name: 'action in lower case', valid: false, object: rule({ action: 'allow' }), k8s: 'spec.rules[0].action' },
  { name: 'unknown command', valid: false, object: rule({ commands: ['UDPAssociate'] }), k8s: 'spec.rules[0].commands[0]' },
  { name: 'duplicate command', valid: false, object: rule({ commands: ['Bind', 'Connect', 'Bind'] }), k8s: 'spec.rules[0].commands[2]' },
  { name: 'empty commands', valid: false, object: rule({ commands: [] }), k8s: 'spec.rules[0].commands' },
  { name: 'duplicate rule names', valid: false, object: policy({ subjects, rules: [{ name: 'x', action: 'Allow' }, { name: 'x', action: 'Deny' }] }), k8s: 'rule names must be unique' },
  { name: 'user name in upper case', valid: false, object: policy({ subjects: { users: ['Bob'] }, rules: [allow] }), k8s: 'spec.subjects.users[0]' },
  { name: 'client CIDR with host bits', valid: false, object: policy({ subjects: { clientCIDRs: ['10.0.0.1/8'] }, rules: [allow] }), k8s: 'spec.subjects.clientCIDRs[0]' },
  { name: 'client CIDR not an address', valid: false, object: policy({ subjects: { clientCIDRs: ['office'] }, rules: [allow] }), k8s: 'spec.subjects.clientCIDRs[0]' },
  { name: 'destination "*"', valid: false, object: rule({ destinations: ['*'] }), k8s: 'spec.rules[0].destinations[0]' },
  { name: 'destination with host bits', valid: false, object: rule({ destinations: ['10.0.0.1/8'] }), k8s: 'spec.rules[0].destinations[0]' },
  { name: 'destination with a double dot', valid: false, object: rule({ destinations: ['example..com'] }), k8s: 'spec.rules[0].destinations[0]' },
  { name: 'destination with an underscore', valid: false, object: rule({ destinations: ['bad_name.example.com'] }), k8s: 'spec.rules[0].destinations[0]' },
  { name: 'destination with a trailing dot', valid: false, object: rule({ destinations: ['example.com.'] }), k8s: 'spec.rules[0].destinations[0]' },
  { name: 'destination wildcard in the middle', valid: false, object: rule({ destinations: ['a.*.example.com'] }), k8s: 'spec.rules[0].destinations[0]' },
  { name: 'destination all-digit last label', valid: false, object: rule({ destinations: ['*.10'] }), k8s: 'spec.rules[0].destinations[0]' },
  { name: 'destination bad IPv4', valid: false, object: rule({ destinations: ['300.1.1.1'] }), k8s: 'spec.rules[0].destinations[0]' },
  { name: 'destination as a number', valid: false, object: rule({ destinations: [10] }), k8s: 'spec.rules[0].destinations[0]' },
  { name: 'port range starting at 0', valid: false, object: rule({ ports: ['0-1024'] }), k8s: 'spec.rules[0].ports[0]' },
  { name: 'backwards port range', valid: false, object: rule({ ports: ['8080-80'] }), k8s: 'spec.rules[0].ports[0]' },
  { name: 'port above 65535', valid: false, object: rule({ ports: [70000] }), k8s: 'spec.rules[0].ports[0]' },
  { name: 'port string above 65535', valid: false, object: rule({ ports: ['65536'] }), k8s: 'spec.rules[0].ports[0]' },
  { name: 'port with a leading zero', valid: false, object: rule({ ports: ['080'] }), k8s: 'spec.rules[0].ports[0]' },
  { name: 'ports comma-separated', valid: false, object: rule({ ports: ['80,443'] }), k8s: 'spec.rules[0].ports[0]' },
  { name: 'port as a boolean', valid: false, object: rule({ ports: [true] }), k8s: 'spec.rules[0].ports[0]' },
  { name: 'groups as a string', valid: false, object: policy({ subjects: { groups: 'staff' }, rules: [allow] }), k8s: 'spec.subjects.groups' },
  { name: 'anonymous as a string', valid: false, object: policy({ subjects: { anonymous: 'true' }, rules: [allow] }), k8s: 'spec.subjects.anonymous' },
  { name: 'destinations over the limit', valid: false, object: rule({ destinations: Array.from({ length: LIST_LIMITS.destinations + 1 }, (_, i) => `h${i}.example.com`) }), k8s: 'spec.rules[0].destinations' },
  { name: 'rules over the limit', valid: false, object: policy({ subjects, rules: Array.from({ length: LIST_LIMITS.rules + 1 }, (_, i) => ({ name: `r${i}`, action: 'Allow' })) }), k8s: 'spec.rules' },
  { name: 'ports over the limit', valid: false, object: rule({ ports: Array.from({ length: LIST_LIMITS.ports + 1 }, (_, i) => 1000 + i) }), k8s: 'spec.rules[0].ports' },
  { name: 'destination all-digit labels', valid: false, object: rule({ destinations: ['1.2.3'] }), k8s: 'spec.rules[0].destinations[0]' },
  { name: 'destination with a letter after a slash', valid: false, object: rule({ destinations: ['abc.def/8'] }), k8s: 'spec.rules[0].destinations[0]' },
  { name: 'destination label ending in "-"', valid: false, object: rule({ destinations: ['a-.example.com'] }), k8s: 'spec.rules[0].destinations[0]' },
  { name: 'destination IPv6 CIDR with host bits', valid: false, object: rule({ destinations: ['2001:db8::1/32'] }), k8s: 'spec.rules[0].destinations[0]' },
  { name: 'destination domain of 254 characters', valid: false, object: rule({ destinations: [`${'a'.repeat(60)}.${'b'.repeat(60)}.${'c'.repeat(60)}.${'d'.repeat(60)}.example.com`] }), k8s: 'spec.rules[0].destinations[0]' },
  // ---- rule extensions (protocols, mode, time windows, limits)
  {
    name: 'protocols, shadow mode, time window, limits',
    valid: true,
    object: rule({ protocols: ['tls', 'http'], mode: 'Shadow', timeWindows: [{ days: ['Mon', 'Fri'], start: '08:00', end: '18:00', timeZone: 'Europe/Berlin' }], limits: { bandwidth: { down: '2MB/s', up: 1000000 }, maxConnections: 10 } }),
  },
  { name: 'whole-day window', valid: true, object: rule({ timeWindows: [{ start: '00:00', end: '24:00' }] }) },
  { name: 'unknown protocol', valid: false, object: rule({ protocols: ['ftp'] }), k8s: 'spec.rules[0].protocols[0]' },
  { name: 'duplicate protocol', valid: false, object: rule({ protocols: ['tls', 'tls'] }), k8s: 'spec.rules[0].protocols[1]' },
  { name: 'mode in lower case', valid: false, object: rule({ mode: 'shadow' }), k8s: 'spec.rules[0].mode' },
  { name: 'window starting at 25:00', valid: false, object: rule({ timeWindows: [{ start: '25:00', end: '26:00' }] }), k8s: 'spec.rules[0].timeWindows[0].start' },
  { name: 'window starting at 24:00', valid: false, object: rule({ timeWindows: [{ start: '24:00', end: '08:00' }] }), k8s: 'spec.rules[0].timeWindows[0]' },
  { name: 'empty window', valid: false, object: rule({ timeWindows: [{ start: '08:00', end: '08:00' }] }), k8s: 'spec.rules[0].timeWindows[0]' },
  { name: 'duplicate day', valid: false, object: rule({ timeWindows: [{ days: ['Mon', 'Mon'], start: '08:00', end: '09:00' }] }), k8s: 'spec.rules[0].timeWindows[0].days[1]' },
  { name: 'time zone with a space', valid: false, object: rule({ timeWindows: [{ start: '08:00', end: '09:00', timeZone: 'Europe Berlin' }] }), k8s: 'timeZone' },
  { name: 'empty limits', valid: false, object: rule({ limits: {} }), k8s: 'spec.rules[0].limits' },
  { name: 'empty bandwidth', valid: false, object: rule({ limits: { bandwidth: {} } }), k8s: 'spec.rules[0].limits.bandwidth' },
  { name: 'bandwidth with a space', valid: false, object: rule({ limits: { bandwidth: { up: '10 MB' } } }), k8s: 'spec.rules[0].limits.bandwidth.up' },
  { name: 'maxConnections 0', valid: false, object: rule({ limits: { maxConnections: 0 } }), k8s: 'spec.rules[0].limits.maxConnections' },
  // ---- SocksUser, good
  { name: 'user with passwordSecretRef', valid: true, object: user({ groups: ['staff'], passwordSecretRef: { name: 'alice-password', key: 'password' } }) },
  { name: 'user with a hash', valid: true, object: user({ password: { hash: HASH } }) },
  { name: 'disabled user, ln=20 r=8', valid: true, object: user({ disabled: true, password: { hash: `$scrypt$ln=20,r=8,p=1$${SALT}$${KEY}` } }) },
  { name: 'secret key with dots and underscores', valid: true, object: user({ passwordSecretRef: { name: 'creds', key: 'alice_pw.txt' } }) },
  // ---- SocksUser, bad
  { name: 'plain-text password', valid: false, object: user({ password: { value: 'wonderland' } }), k8s: 'plain-text passwords are refused' },
  { name: 'both password and passwordSecretRef', valid: false, object: user({ password: { hash: HASH }, passwordSecretRef: { name: 'a', key: 'b' } }), k8s: 'passwordSecretRef' },
  { name: 'neither password nor passwordSecretRef', valid: false, object: user({ groups: ['staff'] }), k8s: 'passwordSecretRef' },
  { name: 'empty password', valid: false, object: user({ password: {} }), k8s: 'spec.password' },
  { name: 'passwordSecretRef without key', valid: false, object: user({ passwordSecretRef: { name: 'a' } }), k8s: 'key' },
  { name: 'passwordSecretRef with a bad Secret name', valid: false, object: user({ passwordSecretRef: { name: 'Bad_Name', key: 'password' } }), k8s: 'spec.passwordSecretRef.name' },
  { name: 'passwordSecretRef with a bad key', valid: false, object: user({ passwordSecretRef: { name: 'a', key: 'has space' } }), k8s: 'spec.passwordSecretRef.key' },
  { name: 'bcrypt hash', valid: false, object: user({ password: { hash: '$2b$10$abcdefghijklmnopqrstuv' } }), k8s: 'spec.password.hash' },
  { name: 'scrypt hash with ln=21', valid: false, object: user({ password: { hash: `$scrypt$ln=21,r=8,p=1$${SALT}$${KEY}` } }), k8s: 'spec.password.hash' },
  { name: 'scrypt hash needing over 1 GiB', valid: false, object: user({ password: { hash: `$scrypt$ln=20,r=9,p=1$${SALT}$${KEY}` } }), k8s: 'spec.password.hash' },
  { name: 'scrypt hash with a short salt', valid: false, object: user({ password: { hash: `$scrypt$ln=15,r=8,p=1$YWJj$${KEY}` } }), k8s: 'spec.password.hash' },
  { name: 'group name with a space', valid: false, object: user({ groups: ['Not OK'], password: { hash: HASH } }), k8s: 'spec.groups[0]' },
  { name: 'disabled as a string', valid: false, object: user({ disabled: 'no', password: { hash: HASH } }), k8s: 'spec.disabled' },
  // ---- SocksQuota, good
  { name: 'user quota per calendar month', valid: true, object: quota({ subject: { user: 'alice' }, bytes: '50Gi', period: { type: 'Monthly', timeZone: 'Europe/Berlin' } }) },
  {
    name: 'PerMember group quota, weekly, throttled',
    valid: true,
    object: quota({ subject: { group: 'students', scope: 'PerMember' }, bytes: 1048576, period: { type: 'Weekly', weekStart: 'Sun' }, direction: 'Down', onExhausted: { action: 'Throttle', rate: '64k/s' }, offlineAllowance: '10Mi' }),
  },
  { name: 'Shared group quota, 30-day periods from an anchor', valid: true, object: quota({ subject: { group: 'staff', scope: 'Shared' }, bytes: '1T', period: { type: 'Days', days: 30, anchor: '2026-01-15' } }) },
  { name: 'bandwidth and connections only', valid: true, object: quota({ subject: { user: 'bob' }, bandwidth: '30MB/s', maxConnections: 10 }) },
  // ---- SocksQuota, bad
  { name: 'quota for a user and a group', valid: false, object: quota({ subject: { user: 'a', group: 'b' }, maxConnections: 1 }), k8s: 'set exactly one of "user" or "group"' },
  { name: 'quota for no one', valid: false, object: quota({ subject: {}, maxConnections: 1 }), k8s: 'set exactly one of "user" or "group"' },
  { name: 'quota without subject', valid: false, object: quota({ bytes: '1Gi', period: monthly }), k8s: 'spec.subject' },
  { name: 'scope on a user quota', valid: false, object: quota({ subject: { user: 'a', scope: 'Shared' }, maxConnections: 1 }), k8s: '"scope" applies to groups only' },
  { name: 'quota limiting nothing', valid: false, object: quota({ subject: { user: 'a' } }), k8s: 'a quota limits nothing' },
  { name: 'bytes without a period', valid: false, object: quota({ subject: { user: 'a' }, bytes: '1Gi' }), k8s: '"bytes" needs a "period"' },
  { name: 'period without bytes', valid: false, object: quota({ subject: { user: 'a' }, period: monthly, maxConnections: 1 }), k8s: '"period" without "bytes"' },
  { name: 'Days period without days', valid: false, object: quota({ subject: { user: 'a' }, bytes: '1Gi', period: { type: 'Days' } }), k8s: 'a "Days" period needs "days"' },
  { name: 'days on a Monthly period', valid: false, object: quota({ subject: { user: 'a' }, bytes: '1Gi', period: { type: 'Monthly', days: 3 } }), k8s: '"days" applies to type "Days" only' },
  { name: 'anchor on a Daily period', valid: false, object: quota({ subject: { user: 'a' }, bytes: '1Gi', period: { type: 'Daily', anchor: '2026-01-01' } }), k8s: '"anchor" applies to type "Days" only' },
  { name: 'weekStart on a Daily period', valid: false, object: quota({ subject: { user: 'a' }, bytes: '1Gi', period: { type: 'Daily', weekStart: 'Sun' } }), k8s: '"weekStart" applies to type "Weekly" only' },
  { name: 'Throttle without a rate', valid: false, object: quota({ subject: { user: 'a' }, bytes: '1Gi', period: monthly, onExhausted: { action: 'Throttle' } }), k8s: '"Throttle" needs "rate"' },
  { name: 'Block with a rate', valid: false, object: quota({ subject: { user: 'a' }, bytes: '1Gi', period: monthly, onExhausted: { action: 'Block', rate: '1k/s' } }), k8s: '"rate" applies to action "Throttle" only' },
  { name: 'period type Yearly', valid: false, object: quota({ subject: { user: 'a' }, bytes: '1Gi', period: { type: 'Yearly' } }), k8s: 'spec.period.type' },
  { name: 'quota bytes as a rate', valid: false, object: quota({ subject: { user: 'a' }, bytes: '10MB/s', period: monthly }), k8s: 'spec.bytes' },
  { name: 'quota days over 3660', valid: false, object: quota({ subject: { user: 'a' }, bytes: '1Gi', period: { type: 'Days', days: 3661 } }), k8s: 'spec.period.days' },
  { name: 'direction in lower case', valid: false, object: quota({ subject: { user: 'a' }, bytes: '1Gi', period: monthly, direction: 'total' }), k8s: 'spec.direction' },
  { name: 'quota time zone with a space', valid: false, object: quota({ subject: { user: 'a' }, bytes: '1Gi', period: { type: 'Daily', timeZone: 'Europe Berlin' } }), k8s: 'spec.period.timeZone' },
  { name: 'quota maxConnections 0', valid: false, object: quota({ subject: { user: 'a' }, maxConnections: 0 }), k8s: 'spec.maxConnections' },
  { name: 'quota group name in upper case', valid: false, object: quota({ subject: { group: 'Staff' }, maxConnections: 1 }), k8s: 'spec.subject.group' },
  { name: 'quota unknown field (typo)', valid: false, object: quota({ subject: { user: 'a' }, byte: '1Gi', period: monthly }), k8s: 'byte' },
];
