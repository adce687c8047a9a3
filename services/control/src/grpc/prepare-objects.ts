/**
 * Admin Apply input -> objects ready to store: parsed, validated by the one schema (the same
 * messages as for policy files), checked for duplicates and size, plain-text passwords hashed.
 *
 * Passwords: `password.value` is accepted at the admin API (so a file that works with `npm start`
 * can be applied as is) but never stored or sent: it is replaced by an scrypt `password.hash`.
 * When the stored user already has a hash that verifies the same password, that hash is kept,
 * so re-applying an unchanged file reports `unchanged` instead of re-salting.
 */
import { hashPassword, objectKey, parseScryptHash, validateObject, verifyScrypt, type PolicyObject, type SocksUser, type ValidationIssue } from '@sockscale/common';
import type { StoredObject } from '../store';

export const MAX_APPLY_OBJECTS = 5000;
/** etcd refuses requests over 1.5 MiB; stay below with room for keys. */
export const MAX_APPLY_BYTES = 1024 * 1024;

export type Prepared = { ok: true; objects: PolicyObject[] } | { ok: false; issues: ValidationIssue[]; tooLarge?: boolean };

export function parseAndValidate(objectsJson: readonly string[], sources: readonly string[]): Prepared {
  if (objectsJson.length === 0) return { ok: false, issues: [{ path: 'objects_json', message: 'no objects to apply' }] };
  if (objectsJson.length > MAX_APPLY_OBJECTS) {
    return { ok: false, tooLarge: true, issues: [{ path: 'objects_json', message: `${objectsJson.length} objects in one request; at most ${MAX_APPLY_OBJECTS}` }] };
  }
  const issues: ValidationIssue[] = [];
  const objects: PolicyObject[] = [];
  const seen = new Map<string, string>();
  objectsJson.forEach((text, i) => {
    const label = sources[i] !== undefined && sources[i] !== '' ? sources[i] : `object ${i + 1}`;
    let input: unknown;
    try {
      input = JSON.parse(text);
    } catch (err) {
      issues.push({ file: label, path: '', message: `not JSON: ${(err as Error).message}` });
      return;
    }
    const r = validateObject(input, { allowPlaintextPasswords: true });
    for (const issue of r.issues) issues.push({ ...issue, file: label });
    if (r.object === undefined) return;
    const key = objectKey(r.object);
    const earlier = seen.get(key);
    if (earlier !== undefined) {
      issues.push({ file: label, object: key, path: 'metadata.name', message: `duplicate ${key} in this request; already given by ${earlier}` });
      return;
    }
    seen.set(key, label);
    objects.push(r.object);
  });
  return issues.length > 0 ? { ok: false, issues } : { ok: true, objects };
}

/** Replaces every `password.value` by a hash (reusing the stored hash when it verifies). */
export async function hashPlaintextPasswords(objects: readonly PolicyObject[], stored: readonly StoredObject[]): Promise<PolicyObject[]> {
  const storedUsers = new Map<string, SocksUser>();
  for (const s of stored) if (s.object.kind === 'SocksUser') storedUsers.set(s.object.metadata.name, s.object);
  const out: PolicyObject[] = [];
  for (const o of objects) {
    const value = o.kind === 'SocksUser' ? o.spec.password.value : undefined;
    if (o.kind !== 'SocksUser' || value === undefined) {
      out.push(o);
      continue;
    }
    const old = storedUsers.get(o.metadata.name)?.spec.password.hash;
    const params = old === undefined ? undefined : parseScryptHash(old);
    const keep = old !== undefined && params !== undefined && typeof params !== 'string' && (await verifyScrypt(value, params));
    const hash = keep ? old : await hashPassword(value);
    out.push({ ...o, spec: { ...o.spec, password: { hash } } });
  }
  return out;
}
