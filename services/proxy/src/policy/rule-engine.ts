import { COMMANDS, PROTOCOLS, type Command, type Protocol, type SocksPolicy } from '@sockscale/common';
import { EMPTY_SPARSE, denseAnd, denseFrom, denseOr, lowestBit, setRange, sparseAndDense, sparseHas, wordCount, type DenseBits, type SparseBits } from './bitset';
import { NO_MATCH, ruleDecision, specialDecision, withShadow } from './decisions';
import { parseDestinationEntry } from './destination-entry';
import { TimeGate } from './time-gate';
import { DestinationIndex, type IpNode } from './destination-index';
import { parseIpWords } from './ip-words';
import { PortIndex, isPort, portRanges } from './port-set';
import type { Decision, PolicyRequest } from './types';

/** Memory caps (in 32-bit words) for the optional acceleration structures; see PortIndex. */
export interface EngineBudgets {
  /** Per-port rule sets (default PORT_INDEX_BUDGET_WORDS, 16 MiB). */
  portIndexWords?: number;
  /** Catch-all sets pre-filtered per port class (default 8 MiB). */
  broadSetWords?: number;
}

/** Protocol states of a request: 0 = not inspected, then 1 + index in PROTOCOLS. */
const PROTOCOL_STATES = 1 + PROTOCOLS.length;

/**
 * Per-subject masks over the applicable rules. `enforced[c * PROTOCOL_STATES + k]`: Enforce
 * rules applying to command c whose protocol condition accepts protocol state k; `shadow`
 * likewise for Shadow rules (null when the subject has none); `inspect`: CONNECT rules with
 * `protocols` (any mode), whose outcome needs the tunnel's first bytes.
 */
export interface SubjectMasks {
  readonly enforced: readonly DenseBits[];
  /** What evaluate scans: `enforced`, plus the Shadow rules when the subject has some. */
  readonly scan: readonly DenseBits[];
  readonly shadow: readonly DenseBits[] | null;
  readonly inspect: DenseBits | null;
  /** `inspect` restricted to rules with domain entries (they can match by SNI/Host). */
  readonly inspectByName: DenseBits | null;
}

export function protocolState(command: Command, protocol: Protocol | undefined): number {
  if (protocol === undefined || command !== 'Connect') return 0;
  return 1 + PROTOCOLS.indexOf(protocol);
}

const NONE = 0x7fffffff;
const BROAD_ANY = 0;
const BROAD_V4 = 1;
const BROAD_V6 = 2;
/** Memory cap for the per-port-class broad sets, in 32-bit words (8 MiB). */
const BROAD_BY_CLASS_BUDGET_WORDS = 1 << 21;
const scratch = new Uint32Array(4);
/** matchWith result for a request that cannot be evaluated (bad address or port). */
const UNUSABLE = -2;
/** The same words read as int32, so passing them on never boxes a heap number. */
const scratchI32 = new Int32Array(scratch.buffer);

/**
 * Every rule of every policy, flattened in evaluation order (policies by priority then name,
 * rules in order) and indexed by dimension:
 *
 *   command  → dense set per command         (3 sets)
 *   port     → dense set per port interval   (PortIndex)
 *   address  → sparse set per address range (DestinationIndex: prefixes folded, range tables)
 *   domain   → sparse set per suffix         (DestinationIndex: suffix table, folded)
 *   subject  → dense set per subject         (masks, built once per subject, ANDed with command)
 *   catch-alls (empty destinations, /0)      → sparse set per port class, built on first use
 *
 * Evaluating walks the union of the (few, small) destination sets word by word in rule order,
 * ANDs each word with the subject/command mask and the port set, and stops at the first
 * non-zero word: its lowest bit is the first matching rule. Cost follows the size of the
 * destination sets that apply to this address / name / port, not the number of rules. Nothing
 * is allocated per request (results are frozen per-rule Decision objects made at compile
 * time); the only lazy work is one catch-all set per port class, the first time it is seen.
 */
export class RuleEngine {
  readonly ruleCount: number;
  readonly words: number;
  /** Policy position (in evaluation order) of each rule. */
  readonly rulePolicy: Int32Array;
  /** First rule index of each policy; policyStart[policies.length] = ruleCount. */
  readonly policyStart: Int32Array;
  readonly destinations: DestinationIndex;
  readonly ports: PortIndex;
  private readonly commandBits: DenseBits[];
  /** Per protocol state: rules whose protocol condition accepts it. */
  private readonly protocolBits: DenseBits[];
  private readonly shadowBits: DenseBits;
  private readonly enforcedBits: DenseBits;
  private readonly inspectBits: DenseBits;
  private readonly inspectByNameBits: DenseBits;
  readonly hasShadow: boolean;
  readonly hasInspect: boolean;
  /** Domain entries of rules with `protocols`, matched against the SNI / Host name. */
  private readonly names: DestinationIndex;
  readonly time: TimeGate;
  private readonly allow: Uint8Array;
  private readonly allowBits: DenseBits;
  /** Allow rules with a CIDR entry: the ones that might allow a domain once it resolves. */
  private readonly allowWithCidr: DenseBits;
  private readonly decisions: Decision[];
  private readonly specialDecisions: Decision[];
  /**
   * The broad destination sets (anyDest, broad4, broad6) pre-filtered by port class, filled in
   * on first use: catch-alls are often port-specific ("any address, port 443") and would
   * otherwise be walked on every request.
   */
  private readonly broadByClass: (SparseBits | undefined)[][] = [[], [], []];
  private broadBudget: number;

  constructor(ordered: readonly SocksPolicy[], budgets: EngineBudgets = {}) {
    this.broadBudget = budgets.broadSetWords ?? BROAD_BY_CLASS_BUDGET_WORDS;
    const rules = ordered.flatMap((p, pi) => p.spec.rules.map((rule) => ({ policy: p.metadata.name, pi, rule })));
    this.ruleCount = rules.length;
    this.words = wordCount(rules.length);
    this.rulePolicy = Int32Array.from(rules, (r) => r.pi);
    this.policyStart = new Int32Array(ordered.length + 1);
    let start = 0;
    ordered.forEach((p, i) => {
      this.policyStart[i] = start;
      start += p.spec.rules.length;
    });
    this.policyStart[ordered.length] = start;

    this.commandBits = COMMANDS.map((c) =>
      denseFrom(
        rules.flatMap((r, i) => (r.rule.commands.includes(c) ? [i] : [])),
        this.words,
      ),
    );
    const hasProtocols = (i: number): boolean => (rules[i]?.rule.protocols?.length ?? 0) > 0;
    const indexes = rules.map((_, i) => i);
    this.protocolBits = Array.from({ length: PROTOCOL_STATES }, (_, k) =>
      denseFrom(
        indexes.filter((i) => !hasProtocols(i) || (k > 0 && (rules[i]?.rule.protocols ?? []).includes(PROTOCOLS[k - 1] as Protocol))),
        this.words,
      ),
    );
    const isShadow = (i: number): boolean => rules[i]?.rule.mode === 'Shadow';
    this.shadowBits = denseFrom(indexes.filter(isShadow), this.words);
    this.enforcedBits = denseFrom(
      indexes.filter((i) => !isShadow(i)),
      this.words,
    );
    this.hasShadow = indexes.some(isShadow);
    const inspect = indexes.filter((i) => hasProtocols(i) && (rules[i]?.rule.commands ?? []).includes('Connect'));
    this.hasInspect = inspect.length > 0;
    this.inspectBits = denseFrom(inspect, this.words);
    const domainEntries = (i: number): string[] => (rules[i]?.rule.destinations ?? []).filter((d) => parseDestinationEntry(d)?.kind !== 'cidr');
    this.inspectByNameBits = denseFrom(
      inspect.filter((i) => domainEntries(i).length > 0),
      this.words,
    );
    this.names = new DestinationIndex(
      rules.map((_, i) => (hasProtocols(i) ? domainEntries(i) : null)),
      this.words,
    );

    this.time = new TimeGate(
      rules.map((r) => r.rule.timeWindows),
      this.words,
    );
    this.allow = Uint8Array.from(rules, (r) => (r.rule.action === 'Allow' ? 1 : 0));
    this.decisions = rules.map((r) => ruleDecision(r.rule.action, r.policy, r.rule.name, r.rule.mode === 'Shadow' ? undefined : r.rule.limits));
    this.specialDecisions = rules.map((r) => specialDecision(r.policy, r.rule.name));
    this.destinations = new DestinationIndex(
      rules.map((r) => r.rule.destinations),
      this.words,
    );
    this.ports = new PortIndex(
      rules.map((r) => portRanges(r.rule.ports)),
      this.words,
      budgets.portIndexWords,
    );
    this.allowBits = denseFrom(
      rules.flatMap((r, i) => (r.rule.action === 'Allow' ? [i] : [])),
      this.words,
    );
    this.allowWithCidr = denseAnd(this.allowBits, this.destinations.hasCidr);
  }

  /** Masks for a subject to which the policies at `positions` apply. */
  masksFor(positions: readonly number[]): SubjectMasks {
    const applicable = new Int32Array(this.words);
    for (const p of positions) setRange(applicable, this.policyStart[p] as number, this.policyStart[p + 1] as number);
    const per = (modeBits: DenseBits): DenseBits[] =>
      this.commandBits.flatMap((c) => {
        const base = denseAnd(denseAnd(applicable, c), modeBits);
        return this.protocolBits.map((p) => denseAnd(base, p));
      });
    const nonEmpty = (b: DenseBits): boolean => b.some((w) => w !== 0);
    const shadow = this.hasShadow ? per(this.shadowBits) : null;
    const inspect = this.hasInspect ? denseAnd(applicable, this.inspectBits) : null;
    const enforced = per(this.enforcedBits);
    const withShadow = shadow !== null && shadow.some(nonEmpty);
    return {
      enforced,
      scan: withShadow ? enforced.map((e, i) => denseOr(e, shadow[i] as DenseBits)) : enforced,
      shadow: withShadow ? shadow : null,
      inspect: inspect !== null && nonEmpty(inspect) ? inspect : null,
      inspectByName: inspect !== null && nonEmpty(inspect) ? denseAnd(inspect, this.inspectByNameBits) : null,
    };
  }

  /** True when some enforced rule under `masks` allows `command` (whatever the destination, port, protocol and time). */
  permits(masks: SubjectMasks, command: Command): boolean {
    const c = commandIndex(command);
    if (c < 0) return false;
    for (let k = 0; k < PROTOCOL_STATES; k++) {
      const mask = masks.enforced[c * PROTOCOL_STATES + k] as DenseBits;
      for (let w = 0; w < this.words; w++) if (((mask[w] as number) & (this.allowBits[w] as number)) !== 0) return true;
    }
    return false;
  }

  /**
   * True when the first bytes of this CONNECT tunnel could change the outcome: some rule with
   * `protocols` (Enforce or Shadow) applies to the command, port and time, could match the
   * destination (by address or name, or by SNI/Host when it has domain entries), and comes
   * before the first Enforce rule without `protocols` that matches.
   */
  needsProtocol(masks: SubjectMasks, request: PolicyRequest): boolean {
    const inspect = masks.inspect;
    if (inspect === null || request.command !== 'Connect' || !isPort(request.port)) return false;
    const r0 = this.match(masks.enforced[0] as DenseBits, request, false);
    if (r0 === UNUSABLE) return false;
    const limit = r0 < 0 ? this.ruleCount : r0;
    if (limit === 0) return false;
    const port = request.port;
    const portClass = this.ports.classFor(port);
    const time = this.timeBits(request);
    const rp = this.matchWith(inspect, request, false, time, portClass);
    if (rp >= 0 && rp < limit) return true;
    // Rules that may match by the (not yet known) server name.
    const byName = masks.inspectByName as DenseBits;
    const portBits = this.ports.classBits(portClass);
    const lastWord = (limit - 1) >>> 5;
    for (let w = 0; w <= lastWord; w++) {
      let bits = (byName[w] as number) & (portBits[w] as number) & (time[w] as number);
      if (w === lastWord && (limit & 31) !== 0) bits &= (1 << (limit & 31)) - 1;
      while (bits !== 0) {
        const r = (w << 5) | lowestBit(bits);
        if (this.ports.exact || this.ports.ruleAccepts(r, port)) return true;
        bits &= bits - 1;
      }
    }
    return false;
  }

  evaluate(masks: SubjectMasks, request: PolicyRequest): Decision {
    const c = commandIndex(request.command);
    const port = request.port;
    if (c < 0 || !isPort(port)) return NO_MATCH;
    const k = protocolState(request.command, request.protocol);
    const time = this.timeBits(request);
    const portClass = this.ports.classFor(port);
    const mask = masks.scan[c * PROTOCOL_STATES + k] as DenseBits;
    let r = this.matchWith(mask, request, k > 0, time, portClass);
    if (r === UNUSABLE) return NO_MATCH;
    const node = this.lastNode;
    if (masks.shadow === null) return r < 0 ? NO_MATCH : this.decisionAt(r, node);
    // Shadow rules are in the scan mask: each one met before an Enforce rule is a hit; the
    // scan continues past it over the same destination sets (no second lookup).
    const sets = this.lastSets;
    const shadowBits = this.shadowBits;
    let hits: Decision[] | undefined;
    while (r >= 0 && ((shadowBits[r >>> 5] as number) & (1 << (r & 31))) !== 0) {
      (hits ??= []).push(this.decisionAt(r, node));
      r = this.firstMatch(sets[0] as SparseBits, sets[1] as SparseBits, sets[2] as SparseBits, sets[3] as SparseBits, mask, time, portClass, port, r + 1);
    }
    const d = r < 0 ? NO_MATCH : this.decisionAt(r, node);
    return hits === undefined ? d : withShadow(d, hits);
  }

  private timeBits(request: PolicyRequest): DenseBits {
    return this.time.bitsAt(this.time.any ? (request.at ?? Date.now()) : 0);
  }

  /** Rule r's decision for an address at `node` (Allow in a special range not named by r = Deny). */
  private decisionAt(r: number, node: IpNode | undefined): Decision {
    if (this.allow[r] === 1 && node !== undefined && node.special && !sparseHas(node.named, r)) return this.specialDecisions[r] as Decision;
    return this.decisions[r] as Decision;
  }

  /** The address's node (undefined when there is no usable address). */
  private ipNode(ip: string): IpNode | undefined {
    const family = parseIpWords(ip, scratch);
    this.lastBroad = BROAD_ANY;
    if (family === 0) return undefined;
    if (family === 4) {
      this.lastBroad = BROAD_V4;
      return this.destinations.matchV4(scratchI32[0] as number);
    }
    this.lastBroad = BROAD_V6;
    return this.destinations.matchV6(scratchI32[0] as number, scratchI32[1] as number, scratchI32[2] as number, scratchI32[3] as number);
  }

  private lastNode: IpNode | undefined;
  /** The four destination sets of the last matchWith, reused to continue a scan. */
  private readonly lastSets: SparseBits[] = [EMPTY_SPARSE, EMPTY_SPARSE, EMPTY_SPARSE, EMPTY_SPARSE];

  private lastBroad = BROAD_ANY;

  /** First rule index >= from under mask matching the request (time: now / request.at), or -1 / UNUSABLE. */
  private match(mask: DenseBits, request: PolicyRequest, byName: boolean, from = 0): number {
    if (!isPort(request.port)) return UNUSABLE;
    return this.matchWith(mask, request, byName, this.timeBits(request), this.ports.classFor(request.port), from);
  }

  private matchWith(mask: DenseBits, request: PolicyRequest, byName: boolean, time: DenseBits, portClass: number, from = 0): number {
    const destination = request.destination;
    const dests = this.destinations;
    let node: IpNode | undefined;
    const ip = destination.ip;
    this.lastBroad = BROAD_ANY;
    if (ip !== undefined) {
      node = this.ipNode(ip);
      if (node === undefined) return UNUSABLE;
    }
    this.lastNode = node;
    const domain = destination.domain;
    const byDomain = domain !== undefined ? dests.matchDomain(domain) : EMPTY_SPARSE;
    const name = request.serverName;
    const byServerName = byName && name !== undefined ? this.names.matchDomain(name) : EMPTY_SPARSE;
    const sets = this.lastSets;
    sets[0] = this.broadFor(this.lastBroad, portClass);
    sets[1] = node === undefined ? EMPTY_SPARSE : node.set;
    sets[2] = byDomain;
    sets[3] = byServerName;
    return this.firstMatch(sets[0], sets[1], byDomain, byServerName, mask, time, portClass, request.port, from);
  }

  /**
   * Conservative pre-DNS check. After resolution the request carries the domain and an address.
   * Let F be the first rule matching the domain whatever the address (a matching domain entry
   * or empty destinations): every resolution is decided by F or by an earlier rule matching by
   * CIDR. So some resolution might be allowed only if F allows, or some earlier Allow rule has a
   * CIDR entry. (With no F: only if some Allow rule has a CIDR entry.)
   */
  mightAllowDomain(masks: SubjectMasks, command: Command, domain: string, port: number, at?: number): boolean {
    const c = commandIndex(command);
    if (c < 0 || !isPort(port)) return false;
    const mask = masks.enforced[c * PROTOCOL_STATES] as DenseBits;
    const portClass = this.ports.classFor(port);
    const time = this.time.bitsAt(this.time.any ? (at ?? Date.now()) : 0);
    const f = this.firstMatch(this.broadFor(BROAD_ANY, portClass), EMPTY_SPARSE, this.destinations.matchDomain(domain), EMPTY_SPARSE, mask, time, portClass, port, 0);
    if (f >= 0 && this.allow[f] === 1) return true;
    const limit = f < 0 ? this.ruleCount : f;
    if (limit === 0) return false;
    const portBits = this.ports.classBits(portClass);
    const exact = this.ports.exact;
    const lastWord = (limit - 1) >>> 5;
    for (let w = 0; w <= lastWord; w++) {
      let bits = (mask[w] as number) & (this.allowWithCidr[w] as number) & (portBits[w] as number) & (time[w] as number);
      if (w === lastWord && (limit & 31) !== 0) bits &= (1 << (limit & 31)) - 1;
      while (bits !== 0) {
        const r = (w << 5) | lowestBit(bits);
        if (exact || this.ports.ruleAccepts(r, port)) return true;
        bits &= bits - 1;
      }
    }
    return false;
  }

  /** Broad set `kind` (BROAD_*) restricted to the rules accepting ports of class `portClass`. */
  private broadFor(kind: number, portClass: number): SparseBits {
    const cache = this.broadByClass[kind] as (SparseBits | undefined)[];
    const hit = cache[portClass];
    if (hit !== undefined) return hit;
    const d = this.destinations;
    const base = kind === BROAD_V4 ? d.broad4 : kind === BROAD_V6 ? d.broad6 : d.anyDest;
    let set = base;
    if (this.ports.exact && this.broadBudget > 0) {
      set = sparseAndDense(base, this.ports.classBits(portClass));
      this.broadBudget -= set.length;
    }
    cache[portClass] = set;
    return set;
  }

  /** Lowest rule index >= from in (a ∪ b ∪ c ∪ d) ∩ mask ∩ time ∩ ports(port), or -1. */
  private firstMatch(a: SparseBits, b: SparseBits, c: SparseBits, d: SparseBits, mask: DenseBits, time: DenseBits, portClass: number, port: number, from: number): number {
    const portBits = this.ports.classBits(portClass);
    const exact = this.ports.exact;
    const fromWord = from >>> 5;
    const la = a.length;
    const lb = b.length;
    const lc = c.length;
    const ld = d.length;
    let ia = 0;
    let ib = 0;
    let ic = 0;
    let id = 0;
    for (;;) {
      const wa = ia < la ? (a[ia] as number) : NONE;
      const wb = ib < lb ? (b[ib] as number) : NONE;
      const wc = ic < lc ? (c[ic] as number) : NONE;
      const wd = id < ld ? (d[id] as number) : NONE;
      let w = wa < wb ? wa : wb;
      if (wc < w) w = wc;
      if (wd < w) w = wd;
      if (w === NONE) return -1;
      let bits = 0;
      if (wa === w) {
        bits = a[ia + 1] as number;
        ia += 2;
      }
      if (wb === w) {
        bits |= b[ib + 1] as number;
        ib += 2;
      }
      if (wc === w) {
        bits |= c[ic + 1] as number;
        ic += 2;
      }
      if (wd === w) {
        bits |= d[id + 1] as number;
        id += 2;
      }
      if (w < fromWord) continue;
      bits &= (mask[w] as number) & (portBits[w] as number) & (time[w] as number);
      if (w === fromWord && (from & 31) !== 0) bits &= ~((1 << (from & 31)) - 1);
      while (bits !== 0) {
        const r = (w << 5) | lowestBit(bits);
        if (exact || this.ports.ruleAccepts(r, port)) return r;
        bits &= bits - 1;
      }
    }
  }
}

export function commandIndex(command: Command): number {
  return command === 'Connect' ? 0 : command === 'Bind' ? 1 : command === 'UdpAssociate' ? 2 : -1;
}
