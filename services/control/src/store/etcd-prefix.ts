/**
 * etcd helpers shared by the stores that keep a key range in view: the range end of a prefix,
 * and "list at revision R, then watch from R+1" (so no change falls between the two), retried
 * every second while etcd is away.
 */
import type { Etcd3, IKeyValue, Watcher } from 'etcd3';
import type { Logger } from '@sockscale/common';

/** The range_end that makes a range request cover every key starting with `prefix`. */
export function prefixRangeEnd(prefix: string): Buffer {
  const end = Buffer.from(prefix);
  let i = end.length - 1;
  while (i >= 0 && end[i] === 0xff) i--;
  if (i < 0) return Buffer.from([0]); // all keys
  end[i] = (end[i] as number) + 1;
  return end.subarray(0, i + 1);
}

/** Range over every key under `prefix`. */
export function prefixRange(prefix: string): { key: Buffer; range_end: Buffer } {
  return { key: Buffer.from(prefix), range_end: prefixRangeEnd(prefix) };
}

export interface PrefixFollower {
  /** The whole range at the revision the watch starts after (first time and after each retry). */
  reset(kvs: IKeyValue[]): void;
  put(kv: IKeyValue): void;
  delete(kv: IKeyValue): void;
}

/** Retries `create` every second until it gives a watcher (or `closed()`), logging each failure; `what` names the watch in logs. */
export async function retryWatch(create: () => Promise<Watcher>, o: { log: Logger; what: string; closed: () => boolean }): Promise<Watcher | undefined> {
  while (!o.closed()) {
    try {
      const watcher = await create();
      if (o.closed()) {
        await watcher.cancel();
        return undefined;
      }
      watcher.on('disconnected', (err: Error) => o.log.warn({ watch: o.what, err: err.message }, 'etcd watch disconnected'));
      watcher.on('error', (err: Error) => o.log.warn({ watch: o.what, err: err.message }, 'etcd watch error'));
      return watcher;
    } catch (err) {
      o.log.warn({ watch: o.what, err: (err as Error).message }, 'cannot watch etcd yet; retrying');
      await new Promise((r) => setTimeout(r, 1000).unref());
    }
  }
  return undefined;
}

/** Lists `prefix` at revision R and watches it from R+1; the watcher (undefined when closed first). */
export function followPrefix(client: Etcd3, prefix: string, f: PrefixFollower, o: { log: Logger; what: string; closed: () => boolean; callTimeoutMs: number }): Promise<Watcher | undefined> {
  return retryWatch(async () => {
    const res = await client.kv.range(prefixRange(prefix), { deadline: Date.now() + o.callTimeoutMs });
    f.reset(res.kvs);
    const watcher = await client.watch().prefix(prefix).startRevision(String(Number(res.header.revision) + 1)).create();
    watcher.on('put', (kv) => f.put(kv));
    watcher.on('delete', (kv) => f.delete(kv));
    return watcher;
  }, o);
}
