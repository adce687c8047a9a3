/**
 * A small table-driven schema walker. A schema is a tree of checkers; `record` takes a table
 * of field name -> checker (plus required/default), so adding a field or a kind is one entry.
 * Checkers never throw and never stop early: each reports every problem it sees to the
 * Walker and returns `undefined` when its value is invalid, or the validated, defaulted value.
 *
 * Everything here stays within what an OpenAPI v3 structural schema can express (types,
 * enums, patterns, ranges, required, defaults, no unknown fields), so the same rules can be
 * published as a CRD schema.
 */
import { didYouMean, closestMatch } from './edit-distance';
import type { FieldPath } from './field-path';

/** A problem at a field path; `at: 'key'` points at the field's name rather than its value. */
export interface PathIssue {
  path: FieldPath;
  message: string;
  at: 'key' | 'value';
}

export interface WalkOptions {
  /** Accept `password.value` (plain text); embedded mode only. */
  allowPlaintextPasswords: boolean;
}

/** Collects issues for one validation run and carries the options checkers may consult. */
export class Walker {
  readonly issues: PathIssue[] = [];
  constructor(readonly options: WalkOptions) {}
  report(path: FieldPath, message: string, at: 'key' | 'value' = 'value'): void {
    this.issues.push({ path, message, at });
  }
}

/** Validates one value; returns the normalised value, or undefined after reporting issues. */
export interface Checker<T> {
  (value: unknown, path: FieldPath, w: Walker): T | undefined;
  /** What the checker accepts, for messages: `an integer from 0 to 1000000`. */
  readonly expected: string;
  /** Do not echo the value in messages (passwords). */
  readonly sensitive?: boolean;
  /** For OpenAPI generation: the regular expression a string must match. */
  readonly pattern?: string;
  /** For OpenAPI generation: an integer or a string (x-kubernetes-int-or-string). */
  readonly intOrString?: boolean;
  /** For OpenAPI generation: the allowed strings. */
  readonly enum?: readonly string[];
  /** For OpenAPI generation: a record's field table / a list's item checker. */
  readonly fields?: Readonly<Record<string, { check: Checker<unknown>; required?: true; default?: unknown }>>;
  readonly items?: Checker<unknown>;
}

export interface CheckerOptions {
  sensitive?: boolean;
  pattern?: string;
  intOrString?: boolean;
  enum?: readonly string[];
}

export function checker<T>(
  expected: string,
  fn: (value: unknown, path: FieldPath, w: Walker) => T | undefined,
  opts: CheckerOptions = {},
): Checker<T> {
  const meta: { expected: string; sensitive: boolean; pattern?: string; intOrString?: boolean; enum?: readonly string[] } = { expected, sensitive: opts.sensitive === true };
  if (opts.enum !== undefined) meta.enum = opts.enum;
  if (opts.pattern !== undefined) meta.pattern = opts.pattern;
  if (opts.intOrString === true) meta.intOrString = true;
  return Object.assign(fn, meta);
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null;
}

/** `a string ("abc")`, `a list`, `null`: how a found value reads in a message. */
export function describeValue(v: unknown, sensitive = false): string {
  if (v === null) return 'null';
  if (v === undefined) return 'nothing';
  if (Array.isArray(v)) return 'a list';
  if (isPlainObject(v)) return 'a mapping';
  if (sensitive) return `a ${typeof v}`;
  switch (typeof v) {
    case 'string':
      return `a string (${JSON.stringify(v.length > 60 ? `${v.slice(0, 57)}...` : v)})`;
    case 'number':
      return Number.isInteger(v) ? `an integer (${v})` : `a number (${v})`;
    case 'boolean':
      return `a boolean (${v})`;
    case 'bigint':
      return `an integer (${v.toString()})`;
    default:
      if (typeof v !== 'object') return `a ${typeof v}`;
      return `a ${(v.constructor as { name?: string } | undefined)?.name ?? 'non-plain object'} value`;
  }
}

export function typeMismatch(expected: string, found: unknown, sensitive = false): string {
  return `expected ${expected}, found ${describeValue(found, sensitive)}`;
}

// ---- scalars ----------------------------------------------------------------------------

export function stringValue(opts: { sensitive?: boolean; nonEmpty?: boolean } = {}): Checker<string> {
  return checker(
    'a string',
    (v, path, w) => {
      if (typeof v !== 'string') return void w.report(path, typeMismatch('a string', v, opts.sensitive));
      if (opts.nonEmpty === true && v === '') return void w.report(path, 'must not be empty');
      return v;
    },
    opts,
  );
}

export function booleanValue(): Checker<boolean> {
  return checker('a boolean (true or false)', (v, path, w) => {
    if (typeof v === 'boolean') return v;
    let hint = '';
    if (typeof v === 'string' && ['true', 'false'].includes(v.toLowerCase())) hint = `; remove the quotes: ${v.toLowerCase()}`;
    return void w.report(path, `${typeMismatch('a boolean (true or false)', v)}${hint}`);
  });
}

export function integerValue(min: number, max: number): Checker<number> {
  const expected = `an integer from ${min} to ${max}`;
  return checker(expected, (v, path, w) => {
    if (typeof v !== 'number' || !Number.isInteger(v)) {
      const hint = typeof v === 'string' && /^-?\d+$/.test(v) ? '; remove the quotes' : '';
      return void w.report(path, `${typeMismatch(expected, v)}${hint}`);
    }
    if (v < min || v > max) return void w.report(path, `${v} is out of range; expected ${expected}`);
    return v;
  });
}

/** One of a fixed set of strings (case-sensitive, with a hint for near misses); `noun` names it in messages. */
export function oneOf<T extends string>(values: readonly T[], noun = 'value'): Checker<T> {
  const expected = `one of ${values.map((x) => JSON.stringify(x)).join(', ')}`;
  return checker(expected, (v, path, w) => {
    if (typeof v === 'string' && (values as readonly string[]).includes(v)) return v as T;
    if (typeof v !== 'string') return void w.report(path, typeMismatch(expected, v));
    return void w.report(path, `unknown ${noun} ${JSON.stringify(v)}; expected ${expected}${didYouMean(v, values)}`);
  }, { enum: values });
}

/** Exactly this string (apiVersion). */
export function exactly<T extends string>(value: T): Checker<T> {
  return checker(JSON.stringify(value), (v, path, w) => {
    if (v === value) return value;
    return void w.report(path, `must be ${JSON.stringify(value)}, found ${describeValue(v)}`);
  });
}

/** A string checked and normalised by `parse`, which returns the value or an error message. */
export function parsedString<T>(expected: string, parse: (s: string) => { value: T } | string, opts: CheckerOptions = {}): Checker<T> {
  return checker(
    expected,
    (v, path, w) => {
      if (typeof v !== 'string') return void w.report(path, typeMismatch(expected, v));
      const r = parse(v);
      if (typeof r === 'string') return void w.report(path, r);
      return r.value;
    },
    opts,
  );
}

/** Accepts anything (used for the spec of an object whose kind is not known). */
export const anyValue: Checker<unknown> = checker('any value', (v) => v);

// ---- lists and maps ---------------------------------------------------------------------

export interface ListOptions {
  /** When set, an empty list is an issue with this message. */
  nonEmpty?: string;
  /** Entries must be unique by this key, computed from the raw entry (undefined = skip it). */
  unique?: {
    key: (raw: unknown, index: number) => string | undefined;
    /** Sub-path of the entry to point at, e.g. ['name']. */
    at?: readonly string[];
    message: (key: string, firstPath: FieldPath) => string;
  };
}

export function listOf<T>(item: Checker<T>, opts: ListOptions = {}): Checker<T[]> {
  return Object.assign(listChecker(item, opts), { items: item });
}

function listChecker<T>(item: Checker<T>, opts: ListOptions): Checker<T[]> {
  return checker('a list', (v, path, w) => {
    if (!Array.isArray(v)) {
      const single = typeof v === 'string' || typeof v === 'number';
      const hint = single && !item.sensitive ? `; write [${JSON.stringify(v)}] for a single entry` : '';
      return void w.report(path, `${typeMismatch('a list', v, item.sensitive)}${hint}`);
    }
    if (v.length === 0 && opts.nonEmpty !== undefined) return void w.report(path, opts.nonEmpty);
    let ok = true;
    const out: T[] = [];
    v.forEach((raw: unknown, i) => {
      const r = raw === null || raw === undefined ? void w.report([...path, i], typeMismatch(item.expected, raw)) : item(raw, [...path, i], w);
      if (r === undefined) ok = false;
      else out.push(r);
    });
    if (opts.unique !== undefined) {
      const { key, at = [], message } = opts.unique;
      const seen = new Map<string, number>();
      v.forEach((raw: unknown, i) => {
        const k = key(raw, i);
        if (k === undefined) return;
        const first = seen.get(k);
        if (first === undefined) return void seen.set(k, i);
        ok = false;
        w.report([...path, i, ...at], message(k, [...path, first, ...at]));
      });
    }
    return ok ? out : undefined;
  });
}

/** A mapping of arbitrary string keys to values (labels, annotations). */
export function mapOf<T>(value: Checker<T>): Checker<Record<string, T>> {
  return checker('a mapping', (v, path, w) => {
    if (!isPlainObject(v)) return void w.report(path, typeMismatch('a mapping', v));
    let ok = true;
    const out: Record<string, T> = {};
    for (const [k, raw] of Object.entries(v)) {
      const r = value(raw, [...path, k], w);
      if (r === undefined) ok = false;
      else Object.defineProperty(out, k, { value: r, enumerable: true, writable: true, configurable: true });
    }
    return ok ? out : undefined;
  });
}

// ---- records (objects with a fixed set of fields) ---------------------------------------

type OptionalField<V> = { check: Checker<V> };
type RequiredField<V> = { check: Checker<V>; required: true } | { check: Checker<V>; default: (objectPath: FieldPath) => V };

/**
 * The field table for a record of type T: optional properties of T may be omitted; every
 * other property must be `required` or have a `default` (called with the record's own path).
 */
export type Fields<T> = {
  [K in keyof T]-?: undefined extends T[K] ? OptionalField<Exclude<T[K], undefined>> : RequiredField<T[K]>;
};

type AnyField = { check: Checker<unknown>; required?: true; default?: (objectPath: FieldPath) => unknown };

export interface RecordOptions<T> {
  /** Fields that are accepted and dropped (server-populated Kubernetes metadata). */
  ignoredFields?: readonly string[];
  /** Cross-field checks, run once every field is valid; return undefined after reporting. */
  refine?: (value: T, path: FieldPath, w: Walker) => T | undefined;
}

export function unknownFieldMessage(key: string, known: readonly string[]): string {
  const suggestion = closestMatch(key, known);
  if (suggestion !== undefined) return `unknown field ${JSON.stringify(key)}; did you mean ${JSON.stringify(suggestion)}?`;
  return `unknown field ${JSON.stringify(key)}; expected ${known.length === 1 ? '' : 'one of '}${known.map((k) => JSON.stringify(k)).join(', ')}`;
}

/**
 * A mapping with exactly the fields in the table. `null` counts as absent (as Kubernetes
 * treats it for non-nullable fields), so `priority:` with no value takes the default.
 */
export function record<T extends object>(fields: Fields<T>, opts: RecordOptions<T> = {}): Checker<T> {
  const table = fields as unknown as Record<string, AnyField>;
  const known = Object.keys(table);
  return Object.assign(recordChecker<T>(table, known, opts), { fields: table });
}

function recordChecker<T extends object>(table: Record<string, AnyField>, known: string[], opts: RecordOptions<T>): Checker<T> {
  return checker('a mapping', (v, path, w) => {
    if (!isPlainObject(v)) return void w.report(path, typeMismatch('a mapping', v));
    let ok = true;
    for (const key of Object.keys(v)) {
      if (known.includes(key) || opts.ignoredFields?.includes(key) === true) continue;
      ok = false;
      w.report([...path, key], unknownFieldMessage(key, known), 'key');
    }
    const out: Record<string, unknown> = {};
    for (const [key, field] of Object.entries(table)) {
      const raw = Object.hasOwn(v, key) ? v[key] : undefined;
      const fieldPath = [...path, key];
      if (raw === undefined || raw === null) {
        if (field.required === true) {
          ok = false;
          const what = raw === null ? `field ${JSON.stringify(key)} has no value` : `missing required field ${JSON.stringify(key)}`;
          w.report(fieldPath, `${what} (expected ${field.check.expected})`);
        } else if (field.default !== undefined) {
          out[key] = field.default(path);
        }
        continue;
      }
      const r = field.check(raw, fieldPath, w);
      if (r === undefined) ok = false;
      else out[key] = r;
    }
    if (!ok) return undefined;
    return opts.refine === undefined ? (out as T) : opts.refine(out as T, path, w);
  });
}
