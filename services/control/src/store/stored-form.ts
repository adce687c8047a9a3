/**
 * How an object is stored: canonical JSON of {apiVersion, kind, metadata (no generation), spec}.
 * The same text is compared to detect `unchanged` applies, so key order must be stable.
 */
import { validateObject, type PolicyObject } from '@sockscale/common';

export function storedForm(o: PolicyObject): string {
  const metadata: Record<string, unknown> = { name: o.metadata.name };
  if (o.metadata.labels !== undefined && Object.keys(o.metadata.labels).length > 0) metadata.labels = sortKeys(o.metadata.labels);
  if (o.metadata.annotations !== undefined && Object.keys(o.metadata.annotations).length > 0) metadata.annotations = sortKeys(o.metadata.annotations);
  return JSON.stringify({ apiVersion: o.apiVersion, kind: o.kind, metadata, spec: o.spec });
}

/** Stored text -> validated object with `generation` set, or an error message. */
export function parseStored(text: string, generation: number): PolicyObject | string {
  let input: unknown;
  try {
    input = JSON.parse(text);
  } catch (err) {
    return `not JSON: ${(err as Error).message}`;
  }
  const r = validateObject(input, { allowPlaintextPasswords: false });
  if (r.object === undefined) return r.issues.map((i) => `${i.path}: ${i.message}`).join('; ');
  r.object.metadata.generation = generation;
  return r.object;
}

function sortKeys(m: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(m).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
