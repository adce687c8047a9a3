import { CidrTrie, cidrContains, parseCidr, parseIp, type Cidr, type ParsedIp, type SocksPolicy } from '@sockscale/common';
import type { Subject } from './types';

/**
 * Which policies apply to whom.
 *
 * A policy applies to a subject when its identity selector matches AND its clientCIDRs are
 * empty or contain the client address. The identity selector matches when the user is listed
 * in `users`, or one of the subject's groups is listed in `groups`, or `anonymous` is true and
 * the subject is anonymous (user null). A policy whose subjects name no users, no groups and
 * not anonymous but do list clientCIDRs applies to every *authenticated* user connecting from
 * those CIDRs, never to anonymous clients. A policy with entirely empty subjects applies to
 * no one.
 */
export class SubjectIndex {
  private readonly byUser = new Map<string, number[]>();
  private readonly byGroup = new Map<string, number[]>();
  private readonly anonymous: number[] = [];
  private readonly authenticatedByCidr: number[] = [];
  private readonly clientCidrs: Cidr[][];
  private readonly hasClientCidrs: boolean[];
  /** Some anonymous policy accepts any client address. */
  private readonly anonymousAnywhere: boolean;
  private readonly anonymousCidrs4 = new CidrTrie<true>(4);
  private readonly anonymousCidrs6 = new CidrTrie<true>(6);
  private readonly seen: Int32Array;
  private stamp = 0;

  /** `ordered`: policies in evaluation order; results are positions in it. */
  constructor(ordered: readonly SocksPolicy[]) {
    this.seen = new Int32Array(ordered.length);
    // An unparsable entry (the validator rejects them) matches no client; it never widens a
    // policy to every client.
    this.hasClientCidrs = ordered.map((p) => p.spec.subjects.clientCIDRs.length > 0);
    this.clientCidrs = ordered.map((p) => p.spec.subjects.clientCIDRs.map(parseCidr).filter((c): c is Cidr => typeof c !== 'string'));
    let anywhere = false;
    ordered.forEach((p, i) => {
      const s = p.spec.subjects;
      for (const u of new Set(s.users)) push(this.byUser, u, i);
      for (const g of new Set(s.groups)) push(this.byGroup, g, i);
      if (s.anonymous) {
        this.anonymous.push(i);
        if (s.clientCIDRs.length === 0) anywhere = true;
        for (const c of this.clientCidrs[i] ?? []) (c.family === 4 ? this.anonymousCidrs4 : this.anonymousCidrs6).upsert(c, () => true);
      } else if (s.users.length === 0 && s.groups.length === 0 && s.clientCIDRs.length > 0) {
        this.authenticatedByCidr.push(i);
      }
    });
    this.anonymousAnywhere = anywhere;
  }

  /** Positions (ascending) of the policies applying to `subject`. */
  applicable(subject: Subject): number[] {
    const ip = parseIp(subject.clientIp);
    const stamp = ++this.stamp;
    const out: number[] = [];
    const consider = (list: readonly number[] | undefined): void => {
      if (list === undefined) return;
      for (const i of list) {
        if (this.seen[i] === stamp) continue;
        this.seen[i] = stamp;
        if (this.clientMatches(i, ip)) out.push(i);
      }
    };
    if (subject.user !== null) {
      consider(this.byUser.get(subject.user));
      consider(this.authenticatedByCidr);
    } else {
      consider(this.anonymous);
    }
    for (const g of subject.groups) consider(this.byGroup.get(g));
    return out.sort((a, b) => a - b);
  }

  /** True when some policy with `anonymous: true` applies to a client at `clientIp`. */
  anonymousAllowed(clientIp: string): boolean {
    if (this.anonymousAnywhere) return true;
    if (this.anonymous.length === 0) return false;
    const ip = parseIp(clientIp);
    if (ip === undefined) return false;
    return (ip.family === 4 ? this.anonymousCidrs4 : this.anonymousCidrs6).match(ip) !== undefined;
  }

  private clientMatches(policy: number, ip: ParsedIp | undefined): boolean {
    if (this.hasClientCidrs[policy] !== true) return true;
    return ip !== undefined && (this.clientCidrs[policy] ?? []).some((c) => cidrContains(c, ip));
  }
}

function push(map: Map<string, number[]>, key: string, value: number): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [value]);
  else list.push(value);
}
