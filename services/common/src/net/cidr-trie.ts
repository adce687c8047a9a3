import type { Cidr, ParsedIp } from './ip';

/**
 * A binary trie of IPv4 or IPv6 prefixes for longest-prefix matching.
 *
 * Build it once (`upsert`), then `matchV4` / `matchV6` walk at most 32 / 128 bits through flat
 * Int32Arrays without allocating. IPv6 keys are four 32-bit words, most significant first, so
 * the hot path never touches bigint. Values hang off the nodes whose prefix was inserted;
 * `walk` visits them parents first so callers can fold data down the tree (cumulative sets).
 */
export class CidrTrie<T> {
  readonly family: 4 | 6;
  /** child0[n] / child1[n]: node index of the child, 0 = none (node 0 is the root). */
  private child0: Int32Array = new Int32Array(64);
  private child1: Int32Array = new Int32Array(64);
  /** slot[n]: index into `values`, -1 when no prefix ends at node n. */
  private slot: Int32Array = new Int32Array(64).fill(-1);
  private nodes = 1;
  private readonly values: T[] = [];
  private readonly prefixes: number[] = [];

  constructor(family: 4 | 6) {
    this.family = family;
  }

  /** Number of stored prefixes. */
  get size(): number {
    return this.values.length;
  }

  /** The value stored at exactly `cidr`, created with `create()` when absent. */
  upsert(cidr: Cidr, create: () => T): T {
    this.checkFamily(cidr);
    let n = 0;
    for (let depth = 0; depth < cidr.prefix; depth++) {
      const one = cidrBit(cidr, depth);
      const children = one ? this.child1 : this.child0;
      let next = children[n] ?? 0;
      if (next === 0) {
        next = this.newNode();
        (one ? this.child1 : this.child0)[n] = next;
      }
      n = next;
    }
    const s = this.slot[n] ?? -1;
    if (s >= 0) return this.values[s] as T;
    const value = create();
    this.slot[n] = this.values.length;
    this.values.push(value);
    this.prefixes.push(cidr.prefix);
    return value;
  }

  /** The value stored at exactly `cidr`, if any. */
  get(cidr: Cidr): T | undefined {
    if (cidr.family !== this.family) return undefined;
    let n = 0;
    for (let depth = 0; depth < cidr.prefix; depth++) {
      n = (cidrBit(cidr, depth) ? this.child1[n] : this.child0[n]) ?? 0;
      if (n === 0) return undefined;
    }
    const s = this.slot[n] ?? -1;
    return s >= 0 ? this.values[s] : undefined;
  }

  /**
   * Visits every stored prefix, enclosing prefixes before the prefixes they contain. `parent` is
   * the value of the longest stored prefix that strictly contains this one.
   */
  walk(visit: (value: T, parent: T | undefined, prefix: number) => void): void {
    const nodeStack: number[] = [0];
    const parentStack: (T | undefined)[] = [undefined];
    while (nodeStack.length > 0) {
      const n = nodeStack.pop() as number;
      let parent = parentStack.pop();
      const s = this.slot[n] ?? -1;
      if (s >= 0) {
        const value = this.values[s] as T;
        visit(value, parent, this.prefixes[s] ?? 0);
        parent = value;
      }
      const c1 = this.child1[n] ?? 0;
      const c0 = this.child0[n] ?? 0;
      if (c1 !== 0) {
        nodeStack.push(c1);
        parentStack.push(parent);
      }
      if (c0 !== 0) {
        nodeStack.push(c0);
        parentStack.push(parent);
      }
    }
  }

  /** Longest-prefix match for an IPv4 address given as an unsigned 32-bit number. */
  matchV4(address: number): T | undefined {
    const c0 = this.child0;
    const c1 = this.child1;
    const slot = this.slot;
    let best = slot[0] as number;
    let n = 0;
    for (let bit = 31; bit >= 0; bit--) {
      n = ((address >>> bit) & 1) === 0 ? (c0[n] as number) : (c1[n] as number);
      if (n === 0) break;
      const s = slot[n] as number;
      if (s >= 0) best = s;
    }
    return best >= 0 ? this.values[best] : undefined;
  }

  /** Longest-prefix match for an IPv6 address given as four 32-bit words, most significant first. */
  matchV6(w0: number, w1: number, w2: number, w3: number): T | undefined {
    const c0 = this.child0;
    const c1 = this.child1;
    const slot = this.slot;
    let best = slot[0] as number;
    let n = 0;
    for (let i = 0; i < 4; i++) {
      const word = i === 0 ? w0 : i === 1 ? w1 : i === 2 ? w2 : w3;
      for (let bit = 31; bit >= 0; bit--) {
        n = ((word >>> bit) & 1) === 0 ? (c0[n] as number) : (c1[n] as number);
        if (n === 0) return best >= 0 ? this.values[best] : undefined;
        const s = slot[n] as number;
        if (s >= 0) best = s;
      }
    }
    return best >= 0 ? this.values[best] : undefined;
  }

  /** Longest-prefix match for a parsed address (convenience; allocates for IPv6). */
  match(ip: ParsedIp): T | undefined {
    if (ip.family !== this.family) return undefined;
    if (ip.family === 4) return this.matchV4(ip.value);
    const v = ip.value;
    return this.matchV6(
      Number((v >> 96n) & 0xffffffffn),
      Number((v >> 64n) & 0xffffffffn),
      Number((v >> 32n) & 0xffffffffn),
      Number(v & 0xffffffffn),
    );
  }

  private checkFamily(cidr: Cidr): void {
    if (cidr.family !== this.family) throw new TypeError(`IPv${cidr.family} prefix inserted into an IPv${this.family} trie`);
  }

  private newNode(): number {
    if (this.nodes === this.child0.length) {
      const grow = (a: Int32Array, fill: number): Int32Array => {
        const b = new Int32Array(a.length * 2).fill(fill);
        b.set(a);
        return b;
      };
      this.child0 = grow(this.child0, 0);
      this.child1 = grow(this.child1, 0);
      this.slot = grow(this.slot, -1);
    }
    return this.nodes++;
  }
}

/** Bit `depth` (0 = most significant) of a prefix's network address. */
function cidrBit(cidr: Cidr, depth: number): boolean {
  if (cidr.family === 4) return (((cidr.value as number) >>> (31 - depth)) & 1) === 1;
  return (((cidr.value as bigint) >> BigInt(127 - depth)) & 1n) === 1n;
}
