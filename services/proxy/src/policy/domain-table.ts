/**
 * A domain suffix table: domain names and all their label suffixes (`a.b.example.com` also
 * stores `b.example.com`, `example.com`, `com`), looked up from the top-level label down.
 *
 * Because the stored set is closed under "drop the first label", the walk stops at the first
 * suffix that is not stored: no longer suffix can be. Lookup hashes the query in place, right
 * to left, one label at a time, with ASCII case folding (DNS names compare case-insensitively,
 * RFC 4343), so it allocates nothing: no lower-casing, no slicing, no splitting.
 *
 * Names are expected lower-case without a trailing dot (see normalizeDomain); a query may
 * have any ASCII case and one trailing dot, which is ignored.
 */
export class DomainSuffixTable<T> {
  private readonly names: string[] = [];
  private readonly hashes: number[] = [];
  /** Id of each name's parent suffix (one label up), -1 for a single label. */
  private readonly parents: number[] = [];
  private readonly values: T[] = [];
  private readonly index = new Map<string, number>();
  /** Open addressing: entry id per slot (-1 = empty) and that entry's hash beside it. */
  private slots = new Int32Array(0);
  private slotHashes = new Int32Array(0);
  private mask = 0;

  /** Number of stored names (including implied suffixes). */
  get size(): number {
    return this.names.length;
  }

  /**
   * The value for `name` (normalised), created with `create` when absent. Every label suffix of
   * `name` is stored too, created with `create` when absent.
   */
  upsert(name: string, create: (name: string) => T): T {
    const existing = this.index.get(name);
    if (existing !== undefined) return this.values[existing] as T;
    const dot = name.indexOf('.');
    let parent = -1;
    if (dot >= 0 && dot + 1 < name.length) {
      const parentName = name.slice(dot + 1);
      this.upsert(parentName, create);
      parent = this.index.get(parentName) as number;
    }
    const value = create(name);
    this.index.set(name, this.names.length);
    this.names.push(name);
    this.parents.push(parent);
    this.hashes.push(hashSuffix(name, 0, name.length));
    this.values.push(value);
    this.slots = new Int32Array(0);
    this.slotHashes = new Int32Array(0);
    return value;
  }

  get(name: string): T | undefined {
    const i = this.index.get(name);
    return i === undefined ? undefined : this.values[i];
  }

  /** The stored name one label up (`b.example.com` for `a.b.example.com`), if any. */
  parentOf(name: string): T | undefined {
    const dot = name.indexOf('.');
    return dot >= 0 && dot + 1 < name.length ? this.get(name.slice(dot + 1)) : undefined;
  }

  /** Stored entries, each after its parent suffix. */
  entries(): [string, T][] {
    return this.names
      .map((n, i) => [n, this.values[i] as T] as [string, T])
      .sort((a, b) => labelCount(a[0]) - labelCount(b[0]));
  }

  /**
   * Finds the longest stored label suffix of `domain`. Returns `2 * id + 1` when that suffix is
   * the whole domain (an exact hit), `2 * id` when the domain is a strict subdomain of it, and
   * -1 when not even the last label is stored. `valueAt(id)` gives the value.
   */
  lookup(domain: string): number {
    if (this.slots.length === 0) this.buildSlots();
    let end = domain.length;
    if (end > 0 && domain.charCodeAt(end - 1) === 46) end--;
    let h = FNV_OFFSET;
    let found = -1;
    let labelEnd = end;
    for (let i = end - 1; i >= 0; i--) {
      h = Math.imul(h ^ fold(domain.charCodeAt(i)), FNV_PRIME);
      if (i > 0 && domain.charCodeAt(i - 1) !== 46) continue;
      const id = this.find(h, domain, i, labelEnd, end - i, found);
      if (id < 0) break;
      if (i === 0) return 2 * id + 1;
      found = id;
      labelEnd = i - 1;
    }
    return found < 0 ? -1 : 2 * found;
  }

  valueAt(id: number): T {
    return this.values[id] as T;
  }

  /**
   * The id of the stored name equal to domain[start, start + length). The part after the first
   * label was matched by the previous step (`parent`), so only the first label, domain[start,
   * labelEnd), is compared: the whole walk compares each character once.
   */
  private find(h: number, domain: string, start: number, labelEnd: number, length: number, parent: number): number {
    const slots = this.slots;
    const slotHashes = this.slotHashes;
    const mask = this.mask;
    const labelLength = labelEnd - start;
    for (let s = h & mask; ; s = (s + 1) & mask) {
      const id = slots[s] as number;
      if (id < 0) return -1;
      if (slotHashes[s] !== h || this.parents[id] !== parent) continue;
      const name = this.names[id] as string;
      if (name.length !== length) continue;
      let k = 0;
      while (k < labelLength && name.charCodeAt(k) === fold(domain.charCodeAt(start + k))) k++;
      if (k === labelLength) return id;
    }
  }

  private buildSlots(): void {
    let size = 8;
    while (size < this.names.length * 2) size *= 2;
    this.slots = new Int32Array(size).fill(-1);
    this.slotHashes = new Int32Array(size);
    this.mask = size - 1;
    for (let id = 0; id < this.names.length; id++) {
      const h = this.hashes[id] as number;
      let s = h & this.mask;
      while ((this.slots[s] as number) >= 0) s = (s + 1) & this.mask;
      this.slots[s] = id;
      this.slotHashes[s] = h;
    }
  }
}

/** Lower-cases ASCII letters only (as DNS does) and drops one trailing dot. */
export function normalizeDomain(name: string): string {
  const trimmed = name.endsWith('.') ? name.slice(0, -1) : name;
  return trimmed.replace(/[A-Z]+/g, (m) => m.toLowerCase());
}

const FNV_OFFSET = 0x811c9dc5 | 0;
const FNV_PRIME = 0x01000193;

function fold(c: number): number {
  return c >= 65 && c <= 90 ? c + 32 : c;
}

/** Hash of name[start, end) taken right to left, as lookup computes it. */
function hashSuffix(name: string, start: number, end: number): number {
  let h = FNV_OFFSET;
  for (let i = end - 1; i >= start; i--) h = Math.imul(h ^ fold(name.charCodeAt(i)), FNV_PRIME);
  return h;
}

function labelCount(name: string): number {
  let n = 1;
  for (let i = 0; i < name.length; i++) if (name.charCodeAt(i) === 46) n++;
  return n;
}
