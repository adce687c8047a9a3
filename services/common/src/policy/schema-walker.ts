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
  /** Accept references to Kubernetes Secrets (`passwordSecretRef`); cluster mode only. */
  allowSecretRefs?: boolean;
}

/**
 * A machine-readable description of what a checker accepts: the subset of OpenAPI v3 that a
 * Kubernetes structural schema allows, plus CEL rules (`x-kubernetes-validations`) for checks
 * a plain schema cannot express. crd-schema.ts publishes it as the CRD schema; the runtime
 * checks stay in the checker functions, and a test runs both against the same corpus.
 */
export interface SchemaDoc {
  type?: 'string' | 'integer' | 'number' | 'boolean' | 'object' | 'array';
  description?: string;
  enum?: readonly string[];
  pattern?: string;
  format?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  minItems?: number;
  maxItems?: number;
  items?: SchemaDoc;
  properties?: Record<string, SchemaDoc>;
  required?: string[];
  additionalProperties?: SchemaDoc | boolean;
  default?: unknown;
  'x-kubernetes-int-or-string'?: true;
  'x-kubernetes-list-type'?: 'atomic' | 'set' | 'map';
  'x-kubernetes-list-map-keys'?: string[];
  'x-kubernetes-validations'?: CelRule[];
}

/** A CEL validation rule; `message` should read like the runtime checker's message. */
export interface CelRule {
  rule: string;
  message: string;
  fieldPath?: string;
  reason?: 'FieldValueInvalid' | 'FieldValueForbidden' | 'FieldValueRequired' | 'FieldValueDuplicate';
}

/** Adds `extra` to `doc`; CEL rules are appended rather than replaced. */
export function mergeSchema(doc: SchemaDoc, extra: SchemaDoc | undefined): SchemaDoc {
  if (extra === undefined) return doc;
  const rules = [...(doc['x-kubernetes-validations'] ?? []), ...(extra['x-kubernetes-validations'] ?? [])];
  const out: SchemaDoc = { ...doc, ...extra };
  if (rules.length > 0) out['x-kubernetes-validations'] = rules;
  return out;
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
  /** What it accepts, as a schema (published in the CRDs); undefined = not described yet. */
  readonly schema?: SchemaDoc;
}

export interface CheckerOptions {
  sensitive?: boolean;
  schema?: SchemaDoc;
  /** Shorthands folded into `schema`: a string pattern, int-or-string, a string enum. */
  pattern?: string;
  intOrString?: boolean;
  enum?: readonly string[];
}

function schemaOf(opts: CheckerOptions): SchemaDoc | undefined {
  let doc = opts.schema;
  if (opts.intOrString === true) doc = mergeSchema(doc ?? {}, { 'x-kubernetes-int-or-string': true });
  if (opts.pattern !== undefined) doc = mergeSchema(opts.intOrString === true ? (doc ?? {}) : { type: 'string', ...doc }, { pattern: opts.pattern });
  if (opts.enum !== undefined) doc = mergeSchema({ type: 'string', ...doc }, { enum: opts.enum });
  return doc;
}

export function checker<T>(expected: string, fn: (value: unknown, path: FieldPath, w: Walker) => T | undefined, opts: CheckerOptions = {}): Checker<T> {
  const props: { expected: string; sensitive: boolean; schema?: SchemaDoc } = { expected, sensitive: opts.sensitive === true };
  const schema = schemaOf(opts);
  if (schema !== undefined) props.schema = schema;
  return Object.assign(fn, props);
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
    { ...opts, schema: opts.nonEmpty === true ? { type: 'string', minLength: 1 } : { type: 'string' } },
  );
}

export function booleanValue(): Checker<boolean> {
  return checker('a boolean (true or false)', (v, path, w) => {
    if (typeof v === 'boolean') return v;
    let hint = '';
    if (typeof v === 'string' && ['true', 'false'].includes(v.toLowerCase())) hint = `; remove the quotes: ${v.toLowerCase()}`;
    return void w.report(path, `${typeMismatch('a boolean (true or false)', v)}${hint}`);
  }, { schema: { type: 'boolean' } });
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
  }, { schema: { type: 'integer', minimum: min, maximum: max } });
}

/** One of a fixed set of strings (case-sensitive, with a hint for near misses); `noun` names it in messages. */
export function oneOf<T extends string>(values: readonly T[], noun = 'value'): Checker<T> {
  const expected = `one of ${values.map((x) => JSON.stringify(x)).join(', ')}`;
  return checker(expected, (v, path, w) => {
    if (typeof v === 'string' && (values as readonly string[]).includes(v)) return v as T;
    if (typeof v !== 'string') return void w.report(path, typeMismatch(expected, v));
    return void w.report(path, `unknown ${noun} ${JSON.stringify(v)}; expected ${expected}${didYouMean(v, values)}`);
  }, { schema: { type: 'string', enum: values } });
}

/** Exactly this string (apiVersion). */
export function exactly<T extends string>(value: T): Checker<T> {
  return checker(JSON.stringify(value), (v, path, w) => {
    if (v === value) return value;
    return void w.report(path, `must be ${JSON.stringify(value)}, found ${describeValue(v)}`);
  }, { schema: { type: 'string', enum: [value] } });
}

/**
 * A string checked and normalised by `parse`, which returns the value or an error message;
 * `schema` describes the same rule (pattern, lengths, CEL) for the CRDs.
 */
export function parsedString<T>(expected: string, parse: (s: string) => { value: T } | string, schema?: SchemaDoc): Checker<T> {
  return checker(
    expected,
    (v, path, w) => {
      if (typeof v !== 'string') return void w.report(path, typeMismatch(expected, v));
      const r = parse(v);
      if (typeof r === 'string') return void w.report(path, r);
      // The schema's length limit holds at run time too (checked after parse, whose messages are more specific).
      if (schema?.maxLength !== undefined && v.length > schema.maxLength) return void w.report(path, `is ${v.length} characters long; the limit is ${schema.maxLength}`);
      return r.value;
    },
    schema === undefined ? {} : { schema: mergeSchema({ type: 'string' }, schema) },
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
  /** When set, a longer list is an issue (bounds the cost of the CRD's CEL rules). */
  maxItems?: number;
  /** Extra schema (CEL rules for `unique`, list type) merged into the description. */
  schema?: SchemaDoc;
}

/** An undescribed part shows as `{}`; crd-schema.ts refuses to publish a schema containing one, naming the path. */
function listSchema(item: Checker<unknown>, opts: ListOptions): SchemaDoc {
  const doc: SchemaDoc = { type: 'array', items: item.schema ?? {} };
  if (opts.nonEmpty !== undefined) doc.minItems = 1;
  if (opts.maxItems !== undefined) doc.maxItems = opts.maxItems;
  return mergeSchema(doc, opts.schema);
}

export function listOf<T>(item: Checker<T>, opts: ListOptions = {}): Checker<T[]> {
  const schema = listSchema(item, opts);
  return checker('a list', (v, path, w) => {
    if (!Array.isArray(v)) {
      const single = typeof v === 'string' || typeof v === 'number';
      const hint = single && !item.sensitive ? `; write [${JSON.stringify(v)}] for a single entry` : '';
      return void w.report(path, `${typeMismatch('a list', v, item.sensitive)}${hint}`);
    }
    if (v.length === 0 && opts.nonEmpty !== undefined) return void w.report(path, opts.nonEmpty);
    if (opts.maxItems !== undefined && v.length > opts.maxItems) return void w.report(path, `has ${v.length} entries; the limit is ${opts.maxItems}`);
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
  }, { schema });
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
  }, { schema: { type: 'object', additionalProperties: value.schema ?? {} } });
}

// ---- records (objects with a fixed set of fields) ---------------------------------------

/** `doc`: the field's description in the CRD schema (and generated reference). */
type OptionalField<V> = { check: Checker<V>; doc?: string };
type RequiredField<V> =
  | { check: Checker<V>; required: true; doc?: string }
  | { check: Checker<V>; default: (objectPath: FieldPath) => V; doc?: string; schemaDefault?: false };

/**
 * The field table for a record of type T: optional properties of T may be omitted; every
 * other property must be `required` or have a `default` (called with the record's own path).
 */
export type Fields<T> = {
  [K in keyof T]-?: undefined extends T[K] ? OptionalField<Exclude<T[K], undefined>> : RequiredField<T[K]>;
};

type AnyField = { check: Checker<unknown>; required?: true; default?: (objectPath: FieldPath) => unknown; doc?: string; schemaDefault?: false };

export interface RecordOptions<T> {
  /** Fields that are accepted and dropped (server-populated Kubernetes metadata). */
  ignoredFields?: readonly string[];
  /** Cross-field checks, run once every field is valid; return undefined after reporting. */
  refine?: (value: T, path: FieldPath, w: Walker) => T | undefined;
  /** Extra schema: the CEL rules that say what `refine` checks, a description. */
  schema?: SchemaDoc;
}

/**
 * The record's schema: its properties (with `doc` as description and static defaults: those
 * whose default function takes no path), required fields and no other fields. A field whose
 * checker is not described shows as `{}`.
 */
function recordSchema(table: Record<string, AnyField>, extra: SchemaDoc | undefined): SchemaDoc {
  const properties: Record<string, SchemaDoc> = {};
  const required: string[] = [];
  for (const [key, field] of Object.entries(table)) {
    let prop: SchemaDoc = { ...(field.check.schema ?? {}) };
    if (field.doc !== undefined) prop = { description: field.doc, ...prop };
    if (field.default !== undefined && field.default.length === 0 && field.schemaDefault !== false) prop.default = field.default([]);
    properties[key] = prop;
    if (field.required === true) required.push(key);
  }
  const doc: SchemaDoc = { type: 'object', properties };
  if (required.length > 0) doc.required = required;
  return mergeSchema(doc, extra);
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
  const schema = recordSchema(table, opts.schema);
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
  }, { schema });
}
