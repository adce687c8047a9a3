/**
 * The embedded store: objects in memory with a revision counter, optionally persisted to one
 * JSON file (written to a temp file and renamed, so a crash leaves the old or the new state).
 * Same semantics as the etcd store: atomic multi-object writes, `unchanged` detection,
 * generation = revision of the last change.
 */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { compareEnvelopes, objectKey, type PolicyObject } from '@sockscale/common';
import { MemoryRelayStore } from '../relays/memory-relay-store';
import { MemoryProxyStatusStore } from './proxy-status-store';
import { ObjectNotFoundError, StoreUnavailableError } from './store-errors';
import type { ObjectRef, PolicyStore, StoreKind, StoreState, WriteResult } from './store-types';
import { parseStored, storedForm } from './stored-form';

interface Entry {
  text: string;
  modRevision: number;
}

interface FileState {
  revision: number;
  version: number;
  objects: Record<string, Entry>;
}

export class MemoryStore implements PolicyStore {
  readonly kind: StoreKind;
  readonly reachable = true;
  readonly unreachableReason = undefined;
  readonly relays = new MemoryRelayStore();
  readonly proxyStatus = new MemoryProxyStatusStore();
  private revision = 0;
  private version = 0;
  private entries = new Map<string, Entry>();
  private readonly listeners: (() => void)[] = [];

  /** `file`: persist to this path (created on first write), or memory only. */
  constructor(private readonly file?: string) {
    this.kind = file === undefined ? 'memory' : 'file';
  }

  start(): Promise<void> {
    if (this.file === undefined) return Promise.resolve();
    let text: string;
    try {
      text = readFileSync(this.file, 'utf8');
    } catch (err) {
      if ((err as { code?: string }).code === 'ENOENT') return Promise.resolve();
      return Promise.reject(new StoreUnavailableError(`cannot read store file ${this.file}: ${(err as Error).message}`, { cause: err }));
    }
    try {
      const state = JSON.parse(text) as FileState;
      if (typeof state.revision !== 'number' || typeof state.objects !== 'object') throw new Error('missing revision or objects');
      this.revision = state.revision;
      this.version = state.version;
      this.entries = new Map(Object.entries(state.objects));
    } catch (err) {
      return Promise.reject(new StoreUnavailableError(`store file ${this.file} is corrupt: ${(err as Error).message}`, { cause: err }));
    }
    return Promise.resolve();
  }

  read(): Promise<StoreState> {
    const state: StoreState = { version: this.version, objects: [], invalid: [] };
    for (const [key, e] of this.entries) {
      const o = parseStored(e.text, e.modRevision);
      if (typeof o === 'string') state.invalid.push({ key, error: o });
      else state.objects.push({ object: o, modRevision: e.modRevision });
    }
    state.objects.sort((a, b) => compareEnvelopes({ kind: a.object.kind, name: a.object.metadata.name }, { kind: b.object.kind, name: b.object.metadata.name }));
    return Promise.resolve(state);
  }

  apply(objects: readonly PolicyObject[]): Promise<WriteResult> {
    const next = new Map(this.entries);
    const rev = this.revision + 1;
    const result: WriteResult = { results: [], version: 0 };
    for (const o of objects) {
      const key = objectKey(o);
      const text = storedForm(o);
      const old = next.get(key);
      if (old !== undefined && old.text === text) {
        result.results.push({ kind: o.kind, name: o.metadata.name, outcome: 'unchanged', generation: old.modRevision });
        continue;
      }
      next.set(key, { text, modRevision: rev });
      result.results.push({ kind: o.kind, name: o.metadata.name, outcome: old === undefined ? 'created' : 'configured', generation: rev });
    }
    if (result.results.every((r) => r.outcome === 'unchanged')) return Promise.resolve(result);
    return this.commit(next, rev, result);
  }

  delete(refs: readonly ObjectRef[]): Promise<WriteResult> {
    const missing = refs.filter((r) => !this.entries.has(`${r.kind}/${r.name}`));
    if (missing.length > 0) return Promise.reject(new ObjectNotFoundError(missing));
    const next = new Map(this.entries);
    const rev = this.revision + 1;
    const result: WriteResult = { results: [], version: 0 };
    for (const r of refs) {
      const old = next.get(`${r.kind}/${r.name}`);
      if (old === undefined) continue; // named twice
      next.delete(`${r.kind}/${r.name}`);
      result.results.push({ kind: r.kind, name: r.name, outcome: 'deleted', generation: old.modRevision });
    }
    return this.commit(next, rev, result);
  }

  onChange(listener: () => void): void {
    this.listeners.push(listener);
  }

  async close(): Promise<void> {
    await this.proxyStatus.close();
    await this.relays.close();
  }

  private commit(next: Map<string, Entry>, rev: number, result: WriteResult): Promise<WriteResult> {
    if (this.file !== undefined) {
      const state: FileState = { revision: rev, version: rev, objects: Object.fromEntries(next) };
      try {
        const tmp = `${this.file}.tmp-${process.pid}`;
        writeFileSync(tmp, `${JSON.stringify(state, null, 1)}\n`, { mode: 0o600 });
        renameSync(tmp, this.file);
      } catch (err) {
        return Promise.reject(new StoreUnavailableError(`cannot write store file ${this.file}: ${(err as Error).message}`, { cause: err }));
      }
    }
    this.entries = next;
    this.revision = rev;
    this.version = rev;
    result.version = rev;
    for (const l of this.listeners) queueMicrotask(l);
    return Promise.resolve(result);
  }
}
