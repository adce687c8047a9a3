/**
 * The schema of every policy kind as field tables for the schema walker. To add a field, add
 * a table entry (and the property in types.ts); to add a kind (SocksQuota), add its spec table
 * to SPEC_SCHEMAS and the kind to POLICY_KINDS.
 */
import { parseNetwork } from './network';
import { checkName, checkNamespace } from './names';
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

const name = parsedString('a name such as "staff-lab"', (s) => checkName(s) ?? { value: s });

const cidr = parsedString('an IPv4 or IPv6 CIDR such as "10.0.0.0/8"', (s) => {
  const r = parseNetwork(s);
  return typeof r === 'string' ? r : { value: s.toLowerCase() };
});

const destination = parsedString('a CIDR, a domain name or a "*.suffix" wildcard', (s) => {
  const r = parseDestination(s);
  return typeof r === 'string' ? r : { value: r.text };
});

const port: Checker<string> = checker('a port number or a "LO-HI" range', (v, path, w) => {
  if (typeof v !== 'string' && typeof v !== 'number') return void w.report(path, typeMismatch('a port number or a "LO-HI" range', v));
  const r = parsePortRange(v);
  if (typeof r === 'string') return void w.report(path, r);
  return r.text;
});

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
  { sensitive: true },
);

const passwordHash = parsedString('a password hash (the output of "sockscale hash-password")', (s) => checkPasswordHash(s) ?? { value: s });

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

const clock = parsedString('a time of day "HH:MM" (00:00-24:00)', parseClockText, { pattern: CLOCK_PATTERN });

function parseClockText(s: string): { value: string } | string {
  const r = parseClock(s);
  return typeof r === 'string' ? r : { value: s };
}

const timeZone = parsedString('an IANA time zone such as "Europe/Berlin"', (s) => checkTimeZone(s) ?? { value: s });

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
    namespace: { check: parsedString('a namespace', (s) => checkNamespace(s) ?? { value: s }) },
    labels: { check: mapOf(stringValue()) },
    annotations: { check: mapOf(stringValue()) },
    generation: { check: integerValue(0, Number.MAX_SAFE_INTEGER) },
  },
  { ignoredFields: SERVER_METADATA_FIELDS },
);

export const passwordSchema = record<PasswordSpec>(
  { value: { check: plaintextPassword }, hash: { check: passwordHash } },
  {
    refine: (p, path, w) => {
      if (p.value === undefined && p.hash === undefined) {
        return void w.report(path, 'set exactly one of "hash" or "value" (plain text, embedded mode only)');
      }
      if (p.value !== undefined && p.hash !== undefined) return void w.report(path, 'set only one of "hash" and "value", not both');
      return p;
    },
  },
);

export const socksUserSpecSchema = record<SocksUserSpec>({
  groups: { check: listOf(name), default: () => [] },
  password: { check: passwordSchema, required: true },
  disabled: { check: booleanValue(), default: () => false },
});

export const subjectsSchema = record<Subjects>(
  {
    users: { check: listOf(name), default: () => [] },
    groups: { check: listOf(name), default: () => [] },
    anonymous: { check: booleanValue(), default: () => false },
    clientCIDRs: { check: listOf(cidr), default: () => [] },
  },
  {
    refine: (s, path, w) => {
      if (s.users.length > 0 || s.groups.length > 0 || s.anonymous || s.clientCIDRs.length > 0) return s;
      return void w.report(path, 'subjects match no one: list "users", "groups" or "clientCIDRs", or set "anonymous: true"');
    },
  },
);

export const timeWindowSchema = record<TimeWindow>(
  {
    days: { check: listOf(oneOf(WEEKDAYS, 'day'), { nonEmpty: 'an empty list matches no day; omit "days" for every day', unique: uniqueStrings('day') }), default: () => [...WEEKDAYS] },
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
  },
);

export const bandwidthSchema = record<BandwidthLimits>(
  { up: { check: quantity }, down: { check: quantity }, total: { check: quantity } },
  {
    refine: (b, path, w) => {
      if (b.up === undefined && b.down === undefined && b.total === undefined) return void w.report(path, 'set at least one of "up", "down" or "total"');
      return b;
    },
  },
);

export const limitsSchema = record<RuleLimits>(
  { bandwidth: { check: bandwidthSchema }, maxConnections: { check: integerValue(1, MAX_CONNECTIONS_MAX) } },
  {
    refine: (l, path, w) => {
      if (l.bandwidth === undefined && l.maxConnections === undefined) return void w.report(path, 'set "bandwidth" or "maxConnections" (or omit "limits")');
      return l;
    },
  },
);

export const ruleSchema = record<Rule>({
  name: { check: name, default: ruleDefaultName },
  action: { check: oneOf(RULE_ACTIONS, 'action'), required: true },
  commands: {
    check: listOf(oneOf(COMMANDS, 'command'), {
      nonEmpty: 'an empty list matches no request; omit "commands" to match all commands',
      unique: {
        key: (raw) => (typeof raw === 'string' ? raw : undefined),
        message: (k, first) => `duplicate command ${JSON.stringify(k)} (already listed at ${formatFieldPath(first)})`,
      },
    }),
    default: () => [...COMMANDS],
  },
  destinations: { check: listOf(destination), default: () => [] },
  ports: { check: listOf(port), default: () => [] },
  protocols: {
    check: listOf(oneOf(PROTOCOLS, 'protocol'), {
      nonEmpty: 'an empty list matches no tunnel; omit "protocols" to match any protocol',
      unique: uniqueStrings('protocol'),
    }),
  },
  timeWindows: { check: listOf(timeWindowSchema, { nonEmpty: 'an empty list is never active; omit "timeWindows" for always' }) },
  mode: { check: oneOf(RULE_MODES, 'mode') },
  limits: { check: limitsSchema },
});

export const socksPolicySpecSchema = record<SocksPolicySpec>({
  priority: { check: integerValue(PRIORITY_MIN, PRIORITY_MAX), default: () => DEFAULT_PRIORITY },
  subjects: { check: subjectsSchema, required: true },
  rules: {
    check: listOf(ruleSchema, {
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
