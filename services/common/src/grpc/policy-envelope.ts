/**
 * Policy objects <-> the protobuf envelope (sockscale.policy.v1.PolicyObject): kind, name,
 * generation and the spec as JSON. Decoding runs the one validator (validateObject) with plain
 * text passwords refused, so a snapshot carries exactly what a policy file may carry, minus
 * plain-text passwords.
 */
import type { ValidationIssue } from '../errors/sockscale-error';
import type { PolicyObject as PolicyObjectProto, PolicyObject__Output as PolicyObjectProtoOut } from '../generated/sockscale/policy/v1/PolicyObject';
import type { Snapshot__Output } from '../generated/sockscale/policy/v1/Snapshot';
import { assemblePolicySnapshot } from '../policy/snapshot';
import { objectKey, type PolicyObject, type PolicySnapshot } from '../policy/types';
import { validateObject } from '../policy/validate';

export type EnvelopeProto = PolicyObjectProto;

/** Code-unit order of kind, then name: the order of Snapshot.objects. */
export function compareEnvelopes(a: { kind: string; name: string }, b: { kind: string; name: string }): number {
  if (a.kind !== b.kind) return a.kind < b.kind ? -1 : 1;
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

export function toEnvelope(o: PolicyObject, generation = o.metadata.generation ?? 0): PolicyObjectProtoOut {
  return {
    apiVersion: o.apiVersion,
    kind: o.kind,
    name: o.metadata.name,
    generation,
    specJson: JSON.stringify(o.spec),
    labels: { ...(o.metadata.labels ?? {}) },
  };
}

/** Rebuilds and validates one object; issues name the object and field. */
export function fromEnvelope(e: PolicyObjectProtoOut): { object?: PolicyObject; issues: ValidationIssue[] } {
  const label = `${e.kind || '(no kind)'}/${e.name || '(no name)'}`;
  let spec: unknown;
  try {
    spec = JSON.parse(e.specJson);
  } catch (err) {
    return { issues: [{ object: label, path: 'spec', message: `spec_json is not JSON: ${(err as Error).message}` }] };
  }
  const metadata: Record<string, unknown> = { name: e.name };
  if (Object.keys(e.labels).length > 0) metadata.labels = e.labels;
  if (e.generation > 0) metadata.generation = e.generation;
  const r = validateObject({ apiVersion: e.apiVersion, kind: e.kind, metadata, spec }, { allowPlaintextPasswords: false });
  return r;
}

/**
 * A received snapshot -> the PolicySnapshot the proxy compiles, or every problem found
 * (invalid objects, duplicates, a zero version).
 */
export function snapshotFromProto(s: Snapshot__Output): { snapshot?: PolicySnapshot; issues: ValidationIssue[] } {
  const issues: ValidationIssue[] = [];
  if (!Number.isSafeInteger(s.version) || s.version <= 0) issues.push({ path: 'version', message: `must be a positive integer, got ${String(s.version)}` });
  const objects: PolicyObject[] = [];
  const seen = new Set<string>();
  for (const e of s.objects) {
    const r = fromEnvelope(e);
    issues.push(...r.issues);
    if (r.object === undefined) continue;
    const key = objectKey(r.object);
    if (seen.has(key)) {
      issues.push({ object: key, path: 'metadata.name', message: 'duplicate object in snapshot' });
      continue;
    }
    seen.add(key);
    objects.push(r.object);
  }
  if (issues.length > 0) return { issues };
  return { snapshot: assemblePolicySnapshot(objects, s.version), issues };
}
