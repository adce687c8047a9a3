import { CidrTrie, type Cidr } from '@sockscale/common';
import { EMPTY_SPARSE, denseFrom, sparseFrom, sparseUnion, type DenseBits, type SparseBits } from './bitset';
import { parseDestinationEntry } from './destination-entry';
import { DomainSuffixTable } from './domain-table';
import { V4RangeTable, V6RangeTable } from './prefix-range-table';
import { SPECIAL_CIDRS, namesSpecialRange } from './special-ranges';

/**
 * What an address lookup yields: the deepest stored prefix on the address's path, carrying
 * everything folded down from the prefixes above it.
 */
export interface IpNode {
  /** Rules with a CIDR entry containing the address (prefix length >= 1). */
  set: SparseBits;
  /** Rules with a CIDR entry containing the address that lies within a special range. */
  named: SparseBits;
  /** The address lies in a special range. */
  special: boolean;
}

interface IpBuildNode extends IpNode {
  own: number[];
  ownNamed: number[];
  specialHere: boolean;
}

export interface DomainNode {
  /** Rules matching the name itself: exact entries for it, wildcards on its suffixes. */
  exact: SparseBits;
  /** Rules matching a strict subdomain not stored further down: wildcards on it and its suffixes. */
  sub: SparseBits;
}

interface DomainBuildNode extends DomainNode {
  exactOwn: number[];
  wildOwn: number[];
}

const NO_IP_NODE: IpNode = Object.freeze({ set: EMPTY_SPARSE, named: EMPTY_SPARSE, special: false });

/**
 * The destination dimension of the compiled rule table: which rules a destination address or
 * name can match.
 *
 * - CIDR entries go into one binary trie per family. Each stored prefix holds the set of rules
 *   with that exact prefix, and after building also the union over all enclosing prefixes, so
 *   one longest-prefix match gives every rule whose CIDRs contain the address. Special ranges
 *   are stored as prefixes too, so the match also says whether the address is special and
 *   which rules name it. The tries are then flattened into range tables (binary search over
 *   sorted range starts) for lookup.
 * - /0 entries and empty destination lists would sit in every set, so they are kept apart:
 *   `anyDest` (empty destinations), `broad4` / `broad6` (= anyDest plus the /0 entries).
 * - Domains go into a suffix table with the same folding: exact entries at the name, wildcards
 *   folded into every name below their suffix.
 */
export class DestinationIndex {
  readonly anyDest: SparseBits;
  readonly broad4: SparseBits;
  readonly broad6: SparseBits;
  /** Rules with at least one CIDR entry (dense). */
  readonly hasCidr: DenseBits;
  private readonly v4: V4RangeTable<IpNode>;
  private readonly v6: V6RangeTable<IpNode>;
  private readonly domains = new DomainSuffixTable<DomainBuildNode>();

  /** `ruleDestinations[r]` null = rule r is not part of this index (a partial index: shadow rules, protocol rules). */
  constructor(ruleDestinations: readonly (readonly string[] | null)[], words: number) {
    const any: number[] = [];
    const zero4: number[] = [];
    const zero6: number[] = [];
    const withCidr: number[] = [];
    const newIpNode = (): IpBuildNode => ({ own: [], ownNamed: [], specialHere: false, set: EMPTY_SPARSE, named: EMPTY_SPARSE, special: false });
    const newDomainNode = (): DomainBuildNode => ({ exactOwn: [], wildOwn: [], exact: EMPTY_SPARSE, sub: EMPTY_SPARSE });
    const v4 = new CidrTrie<IpBuildNode>(4);
    const v6 = new CidrTrie<IpBuildNode>(6);
    const prefixes4: Cidr[] = [];
    const prefixes6: Cidr[] = [];
    const insert = (c: Cidr): IpBuildNode => {
      (c.family === 4 ? prefixes4 : prefixes6).push(c);
      return (c.family === 4 ? v4 : v6).upsert(c, newIpNode);
    };

    for (const s of SPECIAL_CIDRS) insert(s.cidr).specialHere = true;

    ruleDestinations.forEach((destinations, rule) => {
      if (destinations === null) return;
      if (destinations.length === 0) any.push(rule);
      for (const text of destinations) {
        const entry = parseDestinationEntry(text);
        if (entry === undefined) continue;
        if (entry.kind === 'cidr') {
          withCidr.push(rule);
          const c = entry.cidr;
          if (c.prefix === 0) {
            (c.family === 4 ? zero4 : zero6).push(rule);
            continue;
          }
          const node = insert(c);
          node.own.push(rule);
          if (namesSpecialRange(c)) node.ownNamed.push(rule);
        } else if (entry.kind === 'exact') {
          this.domains.upsert(entry.name, newDomainNode).exactOwn.push(rule);
        } else {
          this.domains.upsert(entry.suffix, newDomainNode).wildOwn.push(rule);
        }
      }
    });

    for (const t of [v4, v6]) {
      t.walk((node, parent) => {
        node.set = sparseUnion(parent?.set ?? EMPTY_SPARSE, sparseFrom(node.own));
        node.named = sparseUnion(parent?.named ?? EMPTY_SPARSE, sparseFrom(node.ownNamed));
        node.special = node.specialHere || (parent?.special ?? false);
      });
    }
    this.v4 = new V4RangeTable<IpNode>(v4, prefixes4, NO_IP_NODE);
    this.v6 = new V6RangeTable<IpNode>(v6, prefixes6, NO_IP_NODE);
    for (const [name, node] of this.domains.entries()) {
      const above = this.domains.parentOf(name)?.sub ?? EMPTY_SPARSE;
      node.exact = sparseUnion(above, sparseFrom(node.exactOwn));
      node.sub = sparseUnion(above, sparseFrom(node.wildOwn));
    }

    this.anyDest = sparseFrom(any);
    this.broad4 = sparseFrom([...any, ...zero4]);
    this.broad6 = sparseFrom([...any, ...zero6]);
    this.hasCidr = denseFrom(withCidr, words);
  }

  /** Lookup for an IPv4 address (32-bit, signed or unsigned). */
  matchV4(address: number): IpNode {
    return this.v4.match(address);
  }

  /** Lookup for an IPv6 address as four 32-bit words. */
  matchV6(w0: number, w1: number, w2: number, w3: number): IpNode {
    return this.v6.match(w0, w1, w2, w3);
  }

  /** Rules whose domain entries match `domain` (any ASCII case, one trailing dot ignored). */
  matchDomain(domain: string): SparseBits {
    if (this.domains.size === 0) return EMPTY_SPARSE;
    const hit = this.domains.lookup(domain);
    if (hit < 0) return EMPTY_SPARSE;
    const node = this.domains.valueAt(hit >>> 1);
    return (hit & 1) === 1 ? node.exact : node.sub;
  }

  /** Sizes, for diagnostics and benchmarks. */
  get stats(): { v4Ranges: number; v6Ranges: number; domainNames: number } {
    return { v4Ranges: this.v4.rangeCount, v6Ranges: this.v6.rangeCount, domainNames: this.domains.size };
  }
}
