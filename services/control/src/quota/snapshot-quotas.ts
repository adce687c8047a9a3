import { fromEnvelope, type Snapshot__Output, type SocksQuota } from '@sockscale/common';
import { SHARED_MEMBER, type AccountRef } from './quota-ledger';

/**
 * The quota objects of a served snapshot, and the accounts known from it (for status): user
 * quotas, Shared group quotas, and one account per member of a PerMember group quota.
 */
export function quotasFromSnapshot(s: Snapshot__Output): { quotas: Map<string, SocksQuota>; members: AccountRef[] } {
  const quotas = new Map<string, SocksQuota>();
  const groups = new Map<string, string[]>();
  for (const e of s.objects) {
    if (e.kind !== 'SocksQuota' && e.kind !== 'SocksUser') continue;
    const o = fromEnvelope(e).object;
    if (o?.kind === 'SocksQuota') quotas.set(o.metadata.name, o);
    if (o?.kind === 'SocksUser') for (const g of o.spec.groups) groups.set(g, [...(groups.get(g) ?? []), o.metadata.name]);
  }
  const members: AccountRef[] = [];
  for (const q of quotas.values()) {
    const subj = q.spec.subject;
    if (subj.user !== undefined) members.push({ quota: q.metadata.name, member: subj.user });
    else if (subj.scope === 'Shared') members.push({ quota: q.metadata.name, member: SHARED_MEMBER });
    else for (const m of groups.get(subj.group ?? '') ?? []) members.push({ quota: q.metadata.name, member: m });
  }
  return { quotas, members };
}
