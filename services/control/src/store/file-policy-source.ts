import { EventEmitter } from 'node:events';
import { watch, type FSWatcher } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import { createHash } from 'node:crypto';
import { PolicyError, assemblePolicySnapshot, loadPolicyPaths, objectKey, type Logger, type PolicyObject, type PolicySnapshot } from '@sockscale/common';

export interface LoadedPolicy {
  snapshot: PolicySnapshot;
  files: string[];
  /** `Kind/name` of every object, in file order. */
  objects: string[];
  /** The validated objects themselves (plain-text passwords allowed: embedded mode). */
  items: PolicyObject[];
}

export interface FilePolicySourceEvents {
  snapshot: [LoadedPolicy];
  rejected: [PolicyError];
}

/**
 * Embedded mode's policy source: YAML files and directories on disk. `load()` reads them once
 * (and throws PolicyError listing every problem); `watch()` reloads on change (debounced; the
 * containing directories are watched because editors replace files by renaming) and on
 * `reload()` (SIGHUP). A change that fails validation is reported as `rejected` and the last
 * good snapshot stays in force; an unchanged set of objects produces no new version.
 */
export class FilePolicySource extends EventEmitter<FilePolicySourceEvents> {
  private readonly paths: string[];
  private version = 0;
  private digest = '';
  private watchers: FSWatcher[] = [];
  private timer: NodeJS.Timeout | undefined;
  private loading: Promise<void> = Promise.resolve();

  constructor(
    paths: readonly string[],
    private readonly log: Logger,
    private readonly debounceMs = 200,
  ) {
    super();
    this.paths = paths.map((p) => resolve(p));
  }

  async load(): Promise<LoadedPolicy> {
    const { objects, issues, files } = await loadPolicyPaths(this.paths, { allowPlaintextPasswords: true });
    if (issues.length > 0) throw new PolicyError(issues);
    const digest = digestOf(objects);
    if (digest !== this.digest) {
      this.digest = digest;
      this.version++;
    }
    return { snapshot: assemblePolicySnapshot(objects, this.version), files, objects: objects.map(objectKey), items: objects };
  }

  /** Re-reads the files now; emits `snapshot` when the objects changed, `rejected` when invalid. */
  reload(reason: string): Promise<void> {
    this.loading = this.loading.then(async () => {
      const before = this.version;
      try {
        const loaded = await this.load();
        if (loaded.snapshot.version !== before) this.emit('snapshot', loaded);
        else this.log.debug({ reason }, 'policy files unchanged');
      } catch (err) {
        if (err instanceof PolicyError) this.emit('rejected', err);
        else this.log.error({ err, reason }, 'policy reload failed');
      }
    });
    return this.loading;
  }

  async watch(): Promise<void> {
    const dirs = new Map<string, Set<string> | null>(); // dir -> file names of interest (null = all)
    for (const p of this.paths) {
      const st = await stat(p).catch(() => undefined);
      if (st?.isDirectory() === true) {
        dirs.set(p, null);
      } else {
        const d = dirname(p);
        const names = dirs.get(d);
        if (names === null) continue;
        dirs.set(d, (names ?? new Set<string>()).add(basename(p)));
      }
    }
    for (const [dir, names] of dirs) {
      try {
        const w = watch(dir, { persistent: false }, (_event, file) => {
          if (names !== null && file !== null && !names.has(file.toString())) return;
          if (names === null && file !== null && !/\.ya?ml$/.test(file.toString())) return;
          this.schedule();
        });
        w.on('error', (err) => this.log.warn({ dir, err: err.message }, 'policy watch failed'));
        this.watchers.push(w);
      } catch (err) {
        this.log.warn({ dir, err: (err as Error).message }, 'cannot watch policy directory; use SIGHUP to reload');
      }
    }
  }

  close(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    for (const w of this.watchers) w.close();
    this.watchers = [];
  }

  private schedule(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.reload('file change');
    }, this.debounceMs);
  }
}

function digestOf(objects: readonly PolicyObject[]): string {
  return createHash('sha256').update(JSON.stringify(objects)).digest('hex');
}
