import { COMMANDS, type Command, type SocksPolicy } from '@sockscale/common';
import { EMPTY_SPARSE, denseAnd, denseFrom, lowestBit, setRange, sparseAndDense, sparseHas, wordCount, type DenseBits, type SparseBits } from './bitset';
import { NO_MATCH, ruleDecision, specialDecision } from './decisions';
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

/** Per-subject masks: for each command (COMMANDS order), the applicable rules allowing it. */
export type SubjectMasks = readonly DenseBits[];

const NONE = 0x7fffffff;
const BROAD_ANY = 0;
const BROAD_V4 = 1;
const BROAD_V6 = 2;
/** Memory cap for the per-port-class broad sets, in 32-bit words (8 MiB). */
const BROAD_BY_CLASS_BUDGET_WORDS = 1 << 21;
const scratch = new Uint32Array(4);
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
    this.allow = Uint8Array.from(rules, (r) => (r.rule.action === 'Allow' ? 1 : 0));
    this.decisions = rules.map((r) => ruleDecision(r.rule.action, r.policy, r.rule.name));
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
    return this.commandBits.map((c) => denseAnd(applicable, c));
  }

  /** True when some rule under `masks` allows `command` (whatever the destination and port). */
  permits(masks: SubjectMasks, command: Command): boolean {
    const mask = masks[commandIndex(command)];
    if (mask === undefined) return false;
    for (let w = 0; w < this.words; w++) if (((mask[w] as number) & (this.allowBits[w] as number)) !== 0) return true;
    return false;
  }

  evaluate(masks: SubjectMasks, request: PolicyRequest): Decision {
    const mask = masks[commandIndex(request.command)];
    const port = request.port;
    if (mask === undefined || !isPort(port)) return NO_MATCH;
    const portClass = this.ports.classFor(port);
    const destination = request.destination;
    const dests = this.destinations;
    let broad = BROAD_ANY;
    let node: IpNode | undefined;
    const ip = destination.ip;
    if (ip !== undefined) {
      const family = parseIpWords(ip, scratch);
      if (family === 0) return NO_MATCH;
      if (family === 4) {
        node = dests.matchV4(scratchI32[0] as number);
        broad = BROAD_V4;
      } else {
        node = dests.matchV6(scratchI32[0] as number, scratchI32[1] as number, scratchI32[2] as number, scratchI32[3] as number);
        broad = BROAD_V6;
      }
    }
    const domain = destination.domain;
    const byDomain = domain !== undefined ? dests.matchDomain(domain) : EMPTY_SPARSE;
    const r = this.firstMatch(this.broadFor(broad, portClass), node === undefined ? EMPTY_SPARSE : node.set, byDomain, mask, portClass, port);
    if (r < 0) return NO_MATCH;
    if (this.allow[r] === 1 && node !== undefined && node.special && !sparseHas(node.named, r)) {
      return this.specialDecisions[r] as Decision;
    }
    return this.decisions[r] as Decision;
  }

  /**
   * Conservative pre-DNS check. After resolution the request carries the domain and an address.
   * Let F be the first rule matching the domain whatever the address (a matching domain entry
   * or empty destinations): every resolution is decided by F or by an earlier rule matching by
   * CIDR. So some resolution might be allowed only if F allows, or some earlier Allow rule has a
   * CIDR entry. (With no F: only if some Allow rule has a CIDR entry.)
   */
  mightAllowDomain(masks: SubjectMasks, command: Command, domain: string, port: number): boolean {
    const mask = masks[commandIndex(command)];
    if (mask === undefined || !isPort(port)) return false;
    const portClass = this.ports.classFor(port);
    const f = this.firstMatch(this.broadFor(BROAD_ANY, portClass), EMPTY_SPARSE, this.destinations.matchDomain(domain), mask, portClass, port);
    if (f >= 0 && this.allow[f] === 1) return true;
    const limit = f < 0 ? this.ruleCount : f;
    if (limit === 0) return false;
    const portBits = this.ports.classBits(portClass);
    const exact = this.ports.exact;
    const lastWord = (limit - 1) >>> 5;
    for (let w = 0; w <= lastWord; w++) {
      let bits = (mask[w] as number) & (this.allowWithCidr[w] as number) & (portBits[w] as number);
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

  /** Lowest rule index in (a ∪ b ∪ c) ∩ mask ∩ ports(port), or -1. */
  private firstMatch(a: SparseBits, b: SparseBits, c: SparseBits, mask: DenseBits, portClass: number, port: number): number {
    const portBits = this.ports.classBits(portClass);
    const exact = this.ports.exact;
    const la = a.length;
    const lb = b.length;
    const lc = c.length;
    let ia = 0;
    let ib = 0;
    let ic = 0;
    for (;;) {
      const wa = ia < la ? (a[ia] as number) : NONE;
      const wb = ib < lb ? (b[ib] as number) : NONE;
      const wc = ic < lc ? (c[ic] as number) : NONE;
      let w = wa < wb ? wa : wb;
      if (wc < w) w = wc;
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
      bits &= (mask[w] as number) & (portBits[w] as number);
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
