/**
 * Embedded mode's policy source: the objects of the policy files written into a store (the
 * MemoryStore of `sockscale serve --policy`), so the files reach the proxy the way a cluster's
 * objects do: store -> publisher (hold-off, versions) -> Watch -> ACK/NACK. Like the Kubernetes
 * controller, it is one more source writing the same objects.
 *
 * One write per file set: apply every object (unchanged ones are not rewritten), then delete the
 * objects that left the files. Writes run one at a time, in order. Plain-text passwords are
 * hashed before they reach the store (proxies only ever receive hashes); a password that did not
 * change keeps its hash, so an unchanged file is `unchanged` and makes no new version.
 */
import { hashPassword, objectKey, type Logger, type PolicyObject } from '@sockscale/common';
import type { PolicyStore, WriteResult } from './store-types';

export interface SyncResult {
  /** Store revision after the write (the snapshot version the publisher will serve). */
  version: number;
  /** Objects created/configured/deleted by this write (empty: the files did not change the store). */
  changed: string[];
}

export class FileStoreSync {
  private queue: Promise<unknown> = Promise.resolve();
  /** user name -> the plain-text password of the files and the hash stored for it. */
  private readonly hashes = new Map<string, { value: string; hash: string }>();

  constructor(
    private readonly store: PolicyStore,
    private readonly log: Logger,
    /** scrypt cost of the hashes made from plain text (default: hashPassword's). */
    private readonly hashOptions: { ln?: number } = {},
  ) {}

  /** Makes the store hold exactly `objects` (in order after earlier calls). */
  write(objects: readonly PolicyObject[]): Promise<SyncResult> {
    const next = this.queue.then(() => this.writeNow(objects));
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async writeNow(objects: readonly PolicyObject[]): Promise<SyncResult> {
    const hashed = await Promise.all(objects.map((o) => this.withHash(o)));
    const users = new Set(objects.filter((o) => o.kind === 'SocksUser').map((o) => o.metadata.name));
    for (const name of this.hashes.keys()) if (!users.has(name)) this.hashes.delete(name);
    const wanted = new Set(hashed.map(objectKey));
    const before = await this.store.read();
    const changed: string[] = [];
    let version = before.version;
    const collect = (r: WriteResult): void => {
      for (const x of r.results) if (x.outcome !== 'unchanged') changed.push(`${x.kind}/${x.name}=${x.outcome}`);
      if (r.version > 0) version = r.version;
    };
    if (hashed.length > 0) collect(await this.store.apply(hashed));
    const stale = before.objects.filter((s) => !wanted.has(objectKey(s.object))).map((s) => ({ kind: s.object.kind, name: s.object.metadata.name }));
    // An empty delete still commits a revision: that is how files with no objects at all become
    // a version (an empty snapshot, i.e. deny all) instead of "nothing applied yet".
    if (stale.length > 0 || version === 0) collect(await this.store.delete(stale));
    if (changed.length > 0) this.log.info({ version, objects: changed }, 'policy files written to the store');
    return { version, changed };
  }

  private async withHash(o: PolicyObject): Promise<PolicyObject> {
    if (o.kind !== 'SocksUser' || o.spec.password.value === undefined) return o;
    const value = o.spec.password.value;
    let known = this.hashes.get(o.metadata.name);
    if (known?.value !== value) {
      known = { value, hash: await hashPassword(value, this.hashOptions) };
      this.hashes.set(o.metadata.name, known);
    }
    return { ...o, spec: { ...o.spec, password: { hash: known.hash } } };
  }
}
