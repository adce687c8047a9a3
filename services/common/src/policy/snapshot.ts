/** Validated objects -> the snapshot the proxy evaluates, in a deterministic order. */
import type { PolicyObject, PolicySnapshot, SocksPolicy, SocksQuota, SocksUser } from './types';

/** Code-unit order (not locale order), so every process sorts the same way. */
function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Users sorted by name; policies by priority, then name. Objects must already be valid and
 * free of duplicates (as loadPolicyPaths / loadPolicyText return them). A policy naming a
 * user or group that does not exist is fine: users may be added later.
 */
export function assemblePolicySnapshot(objects: readonly PolicyObject[], version: number): PolicySnapshot {
  const users: SocksUser[] = [];
  const policies: SocksPolicy[] = [];
  const quotas: SocksQuota[] = [];
  for (const o of objects) {
    if (o.kind === 'SocksUser') users.push(o);
    else if (o.kind === 'SocksQuota') quotas.push(o);
    else policies.push(o);
  }
  quotas.sort((a, b) => compareText(a.metadata.name, b.metadata.name));
  users.sort((a, b) => compareText(a.metadata.name, b.metadata.name));
  policies.sort((a, b) => a.spec.priority - b.spec.priority || compareText(a.metadata.name, b.metadata.name));
  return quotas.length === 0 ? { version, users, policies } : { version, users, policies, quotas };
}
