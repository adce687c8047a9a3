/**
 * validateObject: untrusted input (parsed YAML, a CRD object, a snapshot entry) -> one
 * validated, defaulted PolicyObject, or every issue found.
 */
import type { ValidationIssue } from '../errors/sockscale-error';
import { formatFieldPath } from './field-path';
import { isPolicyKind, OBJECT_SCHEMAS, unknownKindSchema } from './object-schema';
import { isPlainObject, Walker, type PathIssue } from './schema-walker';
import type { PolicyObject } from './types';

export interface ValidateOptions {
  /** Accept `spec.password.value` (plain text). Embedded mode only; default false. */
  allowPlaintextPasswords?: boolean;
  /** Accept `spec.passwordSecretRef` (Kubernetes Secrets). Cluster mode only; default false. */
  allowSecretRefs?: boolean;
}

export interface DetailedValidation {
  object?: PolicyObject;
  /** Issues with structured paths (the YAML loader maps them to lines). */
  issues: PathIssue[];
  /** `Kind/name` when the input names both, valid or not. */
  key?: string;
}

/** The `Kind/name` an input claims to be, for labelling issues, or undefined. */
export function claimedKey(input: unknown): string | undefined {
  if (!isPlainObject(input) || typeof input.kind !== 'string' || !isPlainObject(input.metadata)) return undefined;
  const { name } = input.metadata;
  return typeof name === 'string' && name !== '' ? `${input.kind}/${name}` : undefined;
}

export function validateObjectDetailed(input: unknown, ctx: ValidateOptions = {}): DetailedValidation {
  const w = new Walker({ allowPlaintextPasswords: ctx.allowPlaintextPasswords === true, allowSecretRefs: ctx.allowSecretRefs === true });
  const kind = isPlainObject(input) ? input.kind : undefined;
  const schema = isPolicyKind(kind) ? OBJECT_SCHEMAS[kind] : unknownKindSchema;
  const result = schema(input, [], w);
  const key = claimedKey(input);
  const out: DetailedValidation = { issues: w.issues };
  if (key !== undefined) out.key = key;
  if (result !== undefined && w.issues.length === 0 && isPolicyKind(kind)) out.object = result as PolicyObject;
  return out;
}

/** Strictly validates one object and fills in defaults. Reports every issue found. */
export function validateObject(input: unknown, ctx: ValidateOptions = {}): { object?: PolicyObject; issues: ValidationIssue[] } {
  const r = validateObjectDetailed(input, ctx);
  const issues = r.issues.map((i): ValidationIssue => {
    const issue: ValidationIssue = { path: formatFieldPath(i.path), message: i.message };
    if (r.key !== undefined) issue.object = r.key;
    return issue;
  });
  return r.object === undefined ? { issues } : { object: r.object, issues };
}
