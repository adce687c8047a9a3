/**
 * The schema of every policy kind as field tables for the schema walker. To add a field, add
 * a table entry (and the property in types.ts); to add a kind (SocksQuota), add its spec table
 * to SPEC_SCHEMAS and the kind to POLICY_KINDS.
 */
import { parseNetwork } from './network';
import { checkName, checkNamespace, NAME_MAX_LENGTH, NAME_PATTERN, NAMESPACE_MAX_LENGTH, NAMESPACE_PATTERN } from './names';
import { parseDestination } from './destinations';
import { parsePortRange } from './ports';
import { checkPasswordHash } from './password-hash';
import { parseQuantity, QUANTITY_EXPECTED, QUANTITY_PATTERN } from './quantity';
import { checkTimeZone, CLOCK_PATTERN, parseClock, WEEKDAYS } from './time-window';
import {
  booleanValue,
  checker,
  exactly,
  integerValue,
  listOf,
  mapOf,
  oneOf,
  parsedString,
  record,
  stringValue,
  typeMismatch,
  type Checker,
  type Fields,
  type SchemaDoc,
} from './schema-walker';
import { formatFieldPath, type FieldPath } from './field-path';
import {
  API_VERSION,
  COMMANDS,
  POLICY_KINDS,
  PROTOCOLS,
  RULE_MODES,
  RULE_ACTIONS,
  type ObjectMeta,
  type PasswordSpec,
  type PolicyKind,
  type PolicyObject,
  type BandwidthLimits,
  type Rule,
  type SecretKeyRef,
  type RuleLimits,
  type TimeWindow,
  type SocksPolicy,
  type SocksPolicySpec,
  type SocksUser,
  type SocksUserSpec,
  type Subjects,
  QUOTA_ACTIONS,
  QUOTA_DIRECTIONS,
  QUOTA_GROUP_SCOPES,
  QUOTA_PERIODS,
  type QuotaExhaustion,
  type QuotaPeriod,
  type QuotaSubject,
  type SocksQuota,
  type SocksQuotaSpec,
} from './types';

export const PRIORITY_MIN = 0;
export const MAX_CONNECTIONS_MAX = 1_000_000;
export const PRIORITY_MAX = 1_000_000;
export const DEFAULT_PRIORITY = 1000;

/**
 * ObjectMeta fields the API server fills in: accepted (objects read back from Kubernetes
 * carry them) and dropped.
 */
export const SERVER_METADATA_FIELDS = [
  'uid',
  'resourceVersion',
  'creationTimestamp',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
  'managedFields',
  'ownerReferences',
  'finalizers',
  'generateName',
  'selfLink',
] as const;

/**
 * List limits. They bound the cost of the CRDs' CEL rules (the API server refuses a CRD whose
 * worst-case validation cost, item cost x list sizes, exceeds its budget) and hold in every
 * mode, so all carriers agree. Split a bigger policy into several objects.
 */
export const LIST_LIMITS = { rules: 64, destinations: 128, ports: 32, clientCIDRs: 256, users: 1024, groups: 256 } as const;

const name = parsedString('a name such as "staff-lab"', (s) => checkName(s) ?? { value: s }, { pattern: NAME_PATTERN.source, maxLength: NAME_MAX_LENGTH });

/** CEL: a bare IP address, or a CIDR whose host bits are zero (Kubernetes' IP/CIDR library). */
const CEL_NETWORK = 'isIP(self) || (isCIDR(self) && cidr(self) == cidr(self).masked())';

const cidr = parsedString(
  'an IPv4 or IPv6 CIDR such as "10.0.0.0/8"',
  (s) => {
    const r = parseNetwork(s);
    return typeof r === 'string' ? r : { value: s.toLowerCase() };
  },
  {
    maxLength: 64,
    'x-kubernetes-validations': [{ rule: CEL_NETWORK, message: 'must be an IPv4 or IPv6 address or a CIDR with no host bits set, such as "10.0.0.0/8"' }],
  },
);

/**
 * Destinations in the CRD: the syntax as a `pattern` (free for the API server: CEL rules are
 * costed, patterns are not), the address checks in CEL. A domain label; the last label must
 * contain a letter or an inner "-" (not all digits); an address-shaped string is left to CEL.
 * (The pattern does not limit the last label to 63 characters; the TypeScript validator does.)
 */
const DOMAIN_LABEL = '[a-zA-Z0-9]([-a-zA-Z0-9]{0,61}[a-zA-Z0-9])?';
const DOMAIN_LAST_LABEL = '([a-zA-Z0-9][-a-zA-Z0-9]*)?[a-zA-Z]([-a-zA-Z0-9]*[a-zA-Z0-9])?|[a-zA-Z0-9][-a-zA-Z0-9]*-[-a-zA-Z0-9]*[a-zA-Z0-9]';
const DESTINATION_PATTERN = `^(([*][.])?(${DOMAIN_LABEL}[.])*(${DOMAIN_LAST_LABEL})|[0-9a-fA-F:.]+(/[0-9]{1,3})?)$`;
const destination = parsedString(
  'a CIDR, a domain name or a "*.suffix" wildcard',
  (s) => {
    const r = parseDestination(s);
    return typeof r === 'string' ? r : { value: r.text };
  },
  {
    maxLength: 255,
    pattern: DESTINATION_PATTERN,
    'x-kubernetes-validations': [
      {
        // Same split as destinations.ts: anything with ':' or '/', or only digits and dots, is an address.
        rule: `!(self.contains(':') || self.contains('/') || self.matches('^[0-9.]+$')) || ${CEL_NETWORK}`,
        message: 'must be an IP address or a CIDR with no host bits set, such as "10.0.0.0/8"',
      },
      { rule: "size(self) <= 253 || self.startsWith('*.')", message: 'a domain name is at most 253 characters long' },
    ],
  },
);

const port: Checker<string> = checker(
  'a port number or a "LO-HI" range',
  (v, path, w) => {
    if (typeof v !== 'string' && typeof v !== 'number') return void w.report(path, typeMismatch('a port number or a "LO-HI" range', v));
    const r = parsePortRange(v);
    if (typeof r === 'string') return void w.report(path, r);
    return r.text;
  },
  {
    schema: {
      'x-kubernetes-int-or-string': true,
      // "65535-65535"; bounds the CEL cost (a longer string is no port anyway).
      maxLength: 11,
      'x-kubernetes-validations': [
        {
          rule:
            "type(self) == int ? (self >= 0 && self <= 65535) : (self.matches('^(0|[1-9][0-9]{0,4})$') ? int(self) <= 65535 : (self.matches('^[1-9][0-9]{0,4}-[1-9][0-9]{0,4}$') && int(self.split('-')[0]) <= int(self.split('-')[1]) && int(self.split('-')[1]) <= 65535))",
          message: 'must be a port number (1-65535, or 0 alone) or a range "LO-HI" such as "8000-8080" with LO <= HI',
        },
      ],
    },
  },
);

const plaintextPassword: Checker<string> = checker(
  'a string',
  (v, path, w) => {
    if (typeof v !== 'string') return void w.report(path, typeMismatch('a string', v, true));
    if (v === '') return void w.report(path, 'must not be empty');
    if (!w.options.allowPlaintextPasswords) {
      return void w.report(path, 'plain-text passwords are accepted only in embedded mode; use "hash" (the output of "sockscale hash-password") or a Secret');
    }
    return v;
  },
  { sensitive: true, schema: { type: 'string' } },
);

/** ln and r such that 128 * r * 2^ln <= 1 GiB (password/scrypt-hash.ts), as an alternation. */
const SCRYPT_LN_R = [
  'ln=(0?[1-9]|1[0-6]),r=(0?[1-9]|[1-9][0-9])',
  'ln=17,r=(0?[1-9]|[1-5][0-9]|6[0-4])',
  'ln=18,r=(0?[1-9]|[12][0-9]|3[0-2])',
  'ln=19,r=(0?[1-9]|1[0-6])',
  'ln=20,r=0?[1-8]',
].join('|');
/** Salt >= 8 bytes (>= 11 base64 characters), key >= 16 bytes (>= 22). */
const SCRYPT_HASH_CEL = `^[$]scrypt[$](${SCRYPT_LN_R}),p=(0?[1-9]|[1-9][0-9])[$][A-Za-z0-9+/]{11,}={0,2}[$][A-Za-z0-9+/]{22,}={0,2}$`;

const passwordHash = parsedString('a password hash (the output of "sockscale hash-password")', (s) => checkPasswordHash(s) ?? { value: s }, {
  maxLength: 1024,
  'x-kubernetes-validations': [
    { rule: `self.matches('${SCRYPT_HASH_CEL}')`, message: 'is not a valid password hash: expected $scrypt$ln=<n>,r=<n>,p=<n>$<base64 salt>$<base64 key> as printed by "sockscale hash-password"' },
  ],
});

/** Kubernetes Secret names are DNS subdomains; keys are [-._a-zA-Z0-9]+. */
const SECRET_KEY_PATTERN = /^[-._a-zA-Z0-9]+$/;
const secretKeyRefRecord = record<SecretKeyRef>({
  name: { check: name, required: true, doc: 'Name of a Secret in the same namespace as the SocksUser.' },
  key: {
    check: parsedString(
      'a Secret key such as "password"',
      (s) => (SECRET_KEY_PATTERN.test(s) ? { value: s } : `${JSON.stringify(s)} is not a valid Secret key: use letters, digits, "-", "_" and "."`),
      { pattern: SECRET_KEY_PATTERN.source, maxLength: 253 },
    ),
    required: true,
    doc: 'Key in the Secret whose value is the password (plain text in the Secret; the controller hashes it).',
  },
});

/** `passwordSecretRef`: Secrets exist only in Kubernetes, so embedded mode refuses it with a clear message. */
const passwordSecretRef: Checker<SecretKeyRef> = checker(
  'a mapping with "name" and "key"',
  (v, path, w) => {
    if (w.options.allowSecretRefs !== true) {
      return void w.report(path, 'passwordSecretRef needs Kubernetes (Secrets are read by the controller in cluster mode); in a policy file use "password.hash" (the output of "sockscale hash-password") or "password.value"');
    }
    return secretKeyRefRecord(v, path, w);
  },
  { schema: secretKeyRefRecord.schema ?? {} },
);

/** Bytes/s: a quantity string (see quantity.ts) or an integer; OpenAPI: int-or-string with QUANTITY_PATTERN. */
const quantity: Checker<number> = checker(
  QUANTITY_EXPECTED,
  (v, path, w) => {
    const r = parseQuantity(v);
    if (typeof r === 'string') return void w.report(path, typeof v === 'string' || typeof v === 'number' ? r : typeMismatch(QUANTITY_EXPECTED, v));
    return r.value;
  },
  { pattern: QUANTITY_PATTERN, intOrString: true },
);

const clock = parsedString('a time of day "HH:MM" (00:00-24:00)', parseClockText, { pattern: CLOCK_PATTERN, maxLength: 5 });

function parseClockText(s: string): { value: string } | string {
  const r = parseClock(s);
  return typeof r === 'string' ? r : { value: s };
}

// The CRD checks the shape only; whether the zone exists is known to sockscale (Intl), not to the API server.
const timeZone = parsedString('an IANA time zone such as "Europe/Berlin"', (s) => checkTimeZone(s) ?? { value: s }, { maxLength: 64, pattern: '^[A-Za-z][-A-Za-z0-9_+]*(/[-A-Za-z0-9_+]+)*$' });

function uniqueStrings(noun: string): { key: (raw: unknown) => string | undefined; message: (k: string, first: FieldPath) => string } {
  return {
    key: (raw) => (typeof raw === 'string' ? raw : undefined),
    message: (k, first) => `duplicate ${noun} ${JSON.stringify(k)} (already listed at ${formatFieldPath(first)})`,
  };
}

/** `rule-<index>`: the default name of the rule at `path` (…rules[index]). */
function ruleDefaultName(path: FieldPath): string {
  return `rule-${String(path[path.length - 1])}`;
}

export const metadataSchema = record<ObjectMeta>(
  {
    name: { check: name, required: true },
    namespace: { check: parsedString('a namespace', (s) => checkNamespace(s) ?? { value: s }, { pattern: NAMESPACE_PATTERN.source, maxLength: NAMESPACE_MAX_LENGTH }) },
    labels: { check: mapOf(stringValue()) },
    annotations: { check: mapOf(stringValue()) },
    generation: { check: integerValue(0, Number.MAX_SAFE_INTEGER) },
  },
  { ignoredFields: SERVER_METADATA_FIELDS },
);

export const passwordSchema = record<PasswordSpec>(
  {
    value: { check: plaintextPassword, doc: 'Plain-text password: embedded mode only, refused in Kubernetes (use passwordSecretRef).' },
    hash: { check: passwordHash, doc: 'scrypt hash printed by "sockscale hash-password".' },
  },
  {
    refine: (p, path, w) => {
      if (p.value === undefined && p.hash === undefined) {
        return void w.report(path, 'set exactly one of "hash" or "value" (plain text, embedded mode only)');
      }
      if (p.value !== undefined && p.hash !== undefined) return void w.report(path, 'set only one of "hash" and "value", not both');
      return p;
    },
    // In a CRD only "hash" is accepted (the schema describes cluster mode).
    schema: {
      'x-kubernetes-validations': [
        { rule: '!has(self.value)', message: 'plain-text passwords are refused in Kubernetes: put the password in a Secret and set spec.passwordSecretRef, or set password.hash', reason: 'FieldValueForbidden' },
        // "|| has(self.value)": plain text gets the message above only.
        { rule: 'has(self.hash) || has(self.value)', message: 'set "hash" (the output of "sockscale hash-password"), or use spec.passwordSecretRef instead of password', reason: 'FieldValueRequired' },
      ],
    },
  },
);

const isEmptyPassword = (p: PasswordSpec): boolean => p.value === undefined && p.hash === undefined;

export const socksUserSpecSchema = record<SocksUserSpec>(
  {
    groups: { check: listOf(name, { maxItems: LIST_LIMITS.groups }), default: () => [], doc: 'Groups the user belongs to; SocksPolicy subjects name them.' },
    // Defaults to {} so that passwordSecretRef can stand in for it; refine requires one of the two.
    password: { check: passwordSchema, default: () => ({}), schemaDefault: false, doc: 'The password as a hash (or plain text in embedded mode only). Exactly one of password and passwordSecretRef.' },
    passwordSecretRef: { check: passwordSecretRef, doc: 'Cluster mode: read the password from this Secret key. Exactly one of password and passwordSecretRef.' },
    disabled: { check: booleanValue(), default: () => false, doc: 'A disabled user cannot log in.' },
  },
  {
    refine: (u, path, w) => {
      if (u.passwordSecretRef === undefined && isEmptyPassword(u.password)) {
        const alt = w.options.allowSecretRefs === true ? ' or "passwordSecretRef"' : '';
        return void w.report([...path, 'password'], `missing required field "password" (expected a mapping${alt})`);
      }
      if (u.passwordSecretRef !== undefined && !isEmptyPassword(u.password)) {
        return void w.report([...path, 'passwordSecretRef'], 'set only one of "password" and "passwordSecretRef", not both');
      }
      return u;
    },
    schema: {
      'x-kubernetes-validations': [{ rule: 'has(self.password) != has(self.passwordSecretRef)', message: 'set exactly one of "password" (with "hash") and "passwordSecretRef"' }],
    },
  },
);

export const subjectsSchema = record<Subjects>(
  {
    users: { check: listOf(name, { maxItems: LIST_LIMITS.users }), default: () => [], doc: 'User names (SocksUser names).' },
    groups: { check: listOf(name, { maxItems: LIST_LIMITS.groups }), default: () => [], doc: 'Group names; members of any of them match.' },
    anonymous: { check: booleanValue(), default: () => false, doc: 'Also match unauthenticated clients (SOCKS method 0x00).' },
    clientCIDRs: { check: listOf(cidr, { maxItems: LIST_LIMITS.clientCIDRs }), default: () => [], doc: 'Only from these client addresses (empty = any).' },
  },
  {
    refine: (s, path, w) => {
      if (s.users.length > 0 || s.groups.length > 0 || s.anonymous || s.clientCIDRs.length > 0) return s;
      return void w.report(path, 'subjects match no one: list "users", "groups" or "clientCIDRs", or set "anonymous: true"');
    },
    schema: {
      'x-kubernetes-validations': [
        {
          rule: '(has(self.users) && size(self.users) > 0) || (has(self.groups) && size(self.groups) > 0) || (has(self.clientCIDRs) && size(self.clientCIDRs) > 0) || (has(self.anonymous) && self.anonymous)',
          message: 'subjects match no one: list "users", "groups" or "clientCIDRs", or set "anonymous: true"',
        },
      ],
    },
  },
);

export const timeWindowSchema = record<TimeWindow>(
  {
    days: { check: listOf(oneOf(WEEKDAYS, 'day'), { nonEmpty: 'an empty list matches no day; omit "days" for every day', unique: uniqueStrings('day'), schema: { 'x-kubernetes-list-type': 'set' } }), default: () => [...WEEKDAYS] },
    start: { check: clock, required: true },
    end: { check: clock, required: true },
    timeZone: { check: timeZone, default: () => 'UTC' },
  },
  {
    refine: (t, path, w) => {
      if (t.start === '24:00') return void w.report([...path, 'start'], 'a window cannot start at 24:00; use "00:00"');
      if (t.start === t.end) {
        return void w.report([...path, 'end'], `the window is empty (start = end = ${t.start}); use start "00:00" and end "24:00" for whole days`);
      }
      return t;
    },
    schema: {
      'x-kubernetes-validations': [
        { rule: "self.start != '24:00'", message: 'a window cannot start at 24:00; use "00:00"' },
        { rule: 'self.start != self.end', message: 'the window is empty (start = end); use start "00:00" and end "24:00" for whole days' },
      ],
    },
  },
);

export const bandwidthSchema = record<BandwidthLimits>(
  { up: { check: quantity }, down: { check: quantity }, total: { check: quantity } },
  {
    refine: (b, path, w) => {
      if (b.up === undefined && b.down === undefined && b.total === undefined) return void w.report(path, 'set at least one of "up", "down" or "total"');
      return b;
    },
    schema: { 'x-kubernetes-validations': [{ rule: 'has(self.up) || has(self.down) || has(self.total)', message: 'set at least one of "up", "down" or "total"' }] },
  },
);

export const limitsSchema = record<RuleLimits>(
  { bandwidth: { check: bandwidthSchema }, maxConnections: { check: integerValue(1, MAX_CONNECTIONS_MAX) } },
  {
    refine: (l, path, w) => {
      if (l.bandwidth === undefined && l.maxConnections === undefined) return void w.report(path, 'set "bandwidth" or "maxConnections" (or omit "limits")');
      return l;
    },
    schema: { 'x-kubernetes-validations': [{ rule: 'has(self.bandwidth) || has(self.maxConnections)', message: 'set "bandwidth" or "maxConnections" (or omit "limits")' }] },
  },
);

export const ruleSchema = record<Rule>({
  name: { check: name, default: ruleDefaultName, doc: 'Unique within the policy; defaults to rule-<index>.' },
  action: { check: oneOf(RULE_ACTIONS, 'action'), required: true, doc: 'What a matching request gets.' },
  commands: {
    check: listOf(oneOf(COMMANDS, 'command'), {
      nonEmpty: 'an empty list matches no request; omit "commands" to match all commands',
      unique: {
        key: (raw) => (typeof raw === 'string' ? raw : undefined),
        message: (k, first) => `duplicate command ${JSON.stringify(k)} (already listed at ${formatFieldPath(first)})`,
      },
      schema: { 'x-kubernetes-list-type': 'set' },
    }),
    default: () => [...COMMANDS],
    doc: 'SOCKS commands the rule matches; default all.',
  },
  destinations: {
    check: listOf(destination, { maxItems: LIST_LIMITS.destinations }),
    default: () => [],
    doc: 'CIDRs, exact domain names or "*.suffix" wildcards; empty = any destination (special ranges still need a rule naming them).',
  },
  ports: { check: listOf(port, { maxItems: LIST_LIMITS.ports }), default: () => [], doc: 'Port numbers or "LO-HI" ranges; empty = any port.' },
  protocols: {
    check: listOf(oneOf(PROTOCOLS, 'protocol'), {
      nonEmpty: 'an empty list matches no tunnel; omit "protocols" to match any protocol',
      unique: uniqueStrings('protocol'),
      schema: { 'x-kubernetes-list-type': 'set' },
    }),
    doc: 'Detected tunnel protocols (tls, http, ssh, unknown) the rule matches; omit for any. CONNECT only: the proxy peeks at the first client bytes.',
  },
  timeWindows: {
    check: listOf(timeWindowSchema, { nonEmpty: 'an empty list is never active; omit "timeWindows" for always', maxItems: 16 }),
    doc: 'When the rule is active (any listed window); omit for always.',
  },
  mode: { check: oneOf(RULE_MODES, 'mode'), doc: 'Enforce (default) or Shadow: a shadow rule only logs and counts what it would have done.' },
  limits: { check: limitsSchema, doc: 'Bandwidth and connection limits per user within this rule.' },
});

const RULE_NAMES_UNIQUE: SchemaDoc = {
  'x-kubernetes-validations': [
    {
      rule: 'self.all(r, !has(r.name) || self.exists_one(s, has(s.name) && s.name == r.name))',
      // No `reason: FieldValueDuplicate`: kubectl would print "Duplicate value" without this message.
      message: 'rule names must be unique within a policy',
    },
  ],
};

export const socksPolicySpecSchema = record<SocksPolicySpec>({
  priority: { check: integerValue(PRIORITY_MIN, PRIORITY_MAX), default: () => DEFAULT_PRIORITY, doc: 'Lower runs first; ties are broken by name.' },
  subjects: { check: subjectsSchema, required: true, doc: 'Who the policy applies to.' },
  rules: {
    doc: 'Read in order; the first matching rule decides; no match denies.',
    check: listOf(ruleSchema, {
      maxItems: LIST_LIMITS.rules,
      schema: RULE_NAMES_UNIQUE,
      nonEmpty: 'a policy needs at least one rule',
      unique: {
        key: (raw, i) => {
          if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return undefined;
          const n = (raw as Record<string, unknown>).name;
          return n === undefined || n === null ? `rule-${i}` : typeof n === 'string' ? n : undefined;
        },
        at: ['name'],
        message: (k, first) => `duplicate rule name ${JSON.stringify(k)} (also used by ${formatFieldPath(first)}; an unnamed rule is called rule-<index>)`,
      },
    }),
    required: true,
  },
});

/** Bytes (not per second): same syntax as rates; `/s` is refused here. */
const BYTES_EXPECTED = 'a quantity of bytes such as 50Gi, 500M or 1048576 (SI k/M/G/T or binary Ki/Mi/Gi/Ti; optional B)';
const BYTES_PATTERN = '^[0-9]+(\\.[0-9]+)?([kKMGT]|[KMGT]i)?B?$';
const byteCount: Checker<number> = checker(
  BYTES_EXPECTED,
  (v, path, w) => {
    if (typeof v === 'string' && v.endsWith('/s')) return void w.report(path, `${JSON.stringify(v)} is a rate; expected ${BYTES_EXPECTED}`);
    const r = parseQuantity(v);
    if (typeof r === 'string') return void w.report(path, typeof v === 'string' || typeof v === 'number' ? r.replace(/bytes\/s/g, 'bytes') : typeMismatch(BYTES_EXPECTED, v));
    return r.value;
  },
  { pattern: BYTES_PATTERN, intOrString: true },
);

/** Like byteCount but 0 is allowed (offline allowance "none"). */
const byteCountOrZero: Checker<number> = checker(BYTES_EXPECTED, (v, path, w) => (v === 0 || v === '0' ? 0 : byteCount(v, path, w)), { pattern: BYTES_PATTERN, intOrString: true });

export const QUOTA_DAYS_MAX = 3660;
const DATE_PATTERN = '^[0-9]{4}-[0-9]{2}-[0-9]{2}$';
const calendarDate = parsedString(
  'a date "YYYY-MM-DD"',
  (s) => {
    if (!new RegExp(DATE_PATTERN).test(s)) return `${JSON.stringify(s)} is not a date "YYYY-MM-DD"`;
    const d = new Date(`${s}T00:00:00Z`);
    if (Number.isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== s) return `${JSON.stringify(s)} is not a valid calendar date`;
    return { value: s };
  },
  { pattern: DATE_PATTERN },
);

export const quotaSubjectSchema = record<QuotaSubject>(
  { user: { check: name }, group: { check: name }, scope: { check: oneOf(QUOTA_GROUP_SCOPES, 'scope') } },
  {
    refine: (s, path, w) => {
      if ((s.user === undefined) === (s.group === undefined)) return void w.report(path, 'set exactly one of "user" or "group"');
      if (s.user !== undefined && s.scope !== undefined) return void w.report([...path, 'scope'], '"scope" applies to groups only (PerMember: each member has the full quota; Shared: the group shares one)');
      if (s.group !== undefined) return { group: s.group, scope: s.scope ?? 'PerMember' };
      return s;
    },
    schema: {
      'x-kubernetes-validations': [
        { rule: 'has(self.user) != has(self.group)', message: 'set exactly one of "user" or "group"' },
        { rule: '!has(self.user) || !has(self.scope)', message: '"scope" applies to groups only (PerMember: each member has the full quota; Shared: the group shares one)' },
      ],
    },
  },
);

export const quotaPeriodSchema = record<QuotaPeriod>(
  {
    type: { check: oneOf(QUOTA_PERIODS, 'period type'), required: true },
    days: { check: integerValue(1, QUOTA_DAYS_MAX) },
    timeZone: { check: timeZone, default: () => 'UTC' },
    weekStart: { check: oneOf(WEEKDAYS, 'day') },
    anchor: { check: calendarDate },
  },
  {
    refine: (p, path, w) => {
      if (p.type === 'Days' && p.days === undefined) return void w.report([...path, 'days'], 'a "Days" period needs "days" (the period length, 1-3660)');
      if (p.type !== 'Days' && p.days !== undefined) return void w.report([...path, 'days'], `"days" applies to type "Days" only, not "${p.type}"`);
      if (p.type !== 'Days' && p.anchor !== undefined) return void w.report([...path, 'anchor'], `"anchor" applies to type "Days" only, not "${p.type}"`);
      if (p.type !== 'Weekly' && p.weekStart !== undefined) return void w.report([...path, 'weekStart'], `"weekStart" applies to type "Weekly" only, not "${p.type}"`);
      return p;
    },
    schema: {
      'x-kubernetes-validations': [
        { rule: "self.type != 'Days' || has(self.days)", message: 'a "Days" period needs "days" (the period length, 1-3660)' },
        { rule: "self.type == 'Days' || !has(self.days)", message: '"days" applies to type "Days" only' },
        { rule: "self.type == 'Days' || !has(self.anchor)", message: '"anchor" applies to type "Days" only' },
        { rule: "self.type == 'Weekly' || !has(self.weekStart)", message: '"weekStart" applies to type "Weekly" only' },
      ],
    },
  },
);

export const quotaExhaustionSchema = record<QuotaExhaustion>(
  { action: { check: oneOf(QUOTA_ACTIONS, 'action'), required: true }, rate: { check: quantity } },
  {
    refine: (e, path, w) => {
      if (e.action === 'Throttle' && e.rate === undefined) return void w.report([...path, 'rate'], '"Throttle" needs "rate" (bytes/s once the quota is used up, e.g. "64k/s")');
      if (e.action === 'Block' && e.rate !== undefined) return void w.report([...path, 'rate'], '"rate" applies to action "Throttle" only');
      return e;
    },
    schema: {
      'x-kubernetes-validations': [
        { rule: "self.action != 'Throttle' || has(self.rate)", message: '"Throttle" needs "rate" (bytes/s once the quota is used up, e.g. "64k/s")' },
        { rule: "self.action != 'Block' || !has(self.rate)", message: '"rate" applies to action "Throttle" only' },
      ],
    },
  },
);

export const socksQuotaSpecSchema = record<SocksQuotaSpec>(
  {
    subject: { check: quotaSubjectSchema, required: true },
    bytes: { check: byteCount },
    period: { check: quotaPeriodSchema },
    direction: { check: oneOf(QUOTA_DIRECTIONS, 'direction'), default: () => 'Total' as const },
    onExhausted: { check: quotaExhaustionSchema, default: () => ({ action: 'Block' as const }) },
    offlineAllowance: { check: byteCountOrZero, default: () => 0 },
    bandwidth: { check: quantity },
    maxConnections: { check: integerValue(1, MAX_CONNECTIONS_MAX) },
  },
  {
    refine: (q, path, w) => {
      if (q.bytes === undefined && q.bandwidth === undefined && q.maxConnections === undefined) return void w.report(path, 'a quota limits nothing: set "bytes" (with "period"), "bandwidth" or "maxConnections"');
      if (q.bytes !== undefined && q.period === undefined) return void w.report([...path, 'period'], '"bytes" needs a "period" (type Hourly, Daily, Weekly, Monthly or Days)');
      if (q.bytes === undefined && q.period !== undefined) return void w.report([...path, 'bytes'], '"period" without "bytes" limits nothing: set "bytes"');
      return q;
    },
    schema: {
      'x-kubernetes-validations': [
        { rule: 'has(self.bytes) || has(self.bandwidth) || has(self.maxConnections)', message: 'a quota limits nothing: set "bytes" (with "period"), "bandwidth" or "maxConnections"' },
        { rule: '!has(self.bytes) || has(self.period)', message: '"bytes" needs a "period" (type Hourly, Daily, Weekly, Monthly or Days)' },
        { rule: 'has(self.bytes) || !has(self.period)', message: '"period" without "bytes" limits nothing: set "bytes"' },
      ],
    },
  },
);

type SpecOf<K extends PolicyKind> = Extract<PolicyObject, { kind: K }>['spec'];

/** Kind -> spec schema. */
export const SPEC_SCHEMAS: { [K in PolicyKind]: Checker<SpecOf<K>> } = {
  SocksUser: socksUserSpecSchema,
  SocksPolicy: socksPolicySpecSchema,
  SocksQuota: socksQuotaSpecSchema,
};

function objectSchema<O extends PolicyObject>(kind: O['kind'], spec: Checker<O['spec']>): Checker<O> {
  const fields = {
    apiVersion: { check: exactly(API_VERSION), required: true },
    kind: { check: exactly(kind), required: true },
    metadata: { check: metadataSchema, required: true },
    spec: { check: spec, required: true },
  };
  // Every PolicyObject has exactly these four required fields; TypeScript cannot resolve the
  // conditional Fields<O> for a generic O, hence the cast.
  return record<O>(fields as unknown as Fields<O>);
}

/** Kind -> whole-object schema. */
export const OBJECT_SCHEMAS: { [K in PolicyKind]: Checker<Extract<PolicyObject, { kind: K }>> } = {
  SocksUser: objectSchema<SocksUser>('SocksUser', SPEC_SCHEMAS.SocksUser),
  SocksPolicy: objectSchema<SocksPolicy>('SocksPolicy', SPEC_SCHEMAS.SocksPolicy),
  SocksQuota: objectSchema<SocksQuota>('SocksQuota', SPEC_SCHEMAS.SocksQuota),
};

/** For objects whose kind is missing or unknown: still checks apiVersion and metadata. */
export const unknownKindSchema = record<{ apiVersion: string; kind: PolicyKind; metadata: ObjectMeta; spec?: unknown }>({
  apiVersion: { check: exactly(API_VERSION), required: true },
  kind: { check: oneOf(POLICY_KINDS, 'kind'), required: true },
  metadata: { check: metadataSchema, required: true },
  spec: { check: checker('a mapping', (v) => v) },
});

export function isPolicyKind(s: unknown): s is PolicyKind {
  return typeof s === 'string' && (POLICY_KINDS as readonly string[]).includes(s);
}
