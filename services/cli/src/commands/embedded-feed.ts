/**
 * Embedded mode (`sockscale serve --policy`, `npm start`): the control plane runs in this
 * process and the proxy watches it like any cluster proxy, so one code path serves both:
 *
 *   policy files -> FilePolicySource -> FileStoreSync -> MemoryStore -> PolicyPublisher
 *     (hold-off batching, version = store revision) -> Watch over gRPC -> DiscoveryClient
 *     (acceptSnapshot, ProxyServer.applySnapshot, ACK/NACK)
 *
 * The gRPC server listens on a unix socket in a fresh 0700 temporary directory: only this
 * process (and root) can reach it, no TCP port is opened, and it is removed on exit. Files that
 * fail validation never reach the store (the error names file, document, path and reason; the
 * previous policy stays); a snapshot the proxy rejects is NACKed and the previous one stays.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatIssue, PolicyError, type Logger, type Registry } from '@sockscale/common';
import { ControlPlane, FilePolicySource, FileStoreSync, MemoryStore, type LoadedPolicy } from '@sockscale/control';
import type { DiscoveryClient, ProxyServer } from '@sockscale/proxy';
import type { PolicyFeed } from './policy-feed';
import { watchControlPlane } from './watch-control-plane';

/** The node id the in-process proxy reports to the in-process control plane. */
export const EMBEDDED_NODE_ID = 'embedded';
/**
 * scrypt cost (2^10, about 1 MiB and a few ms) of the hashes made from `password.value` in the
 * files. The hash never leaves this process (memory store, private socket) and the plain text
 * sits in the file next to it, so a costly hash protects nothing here; what it would cost is a
 * slow first login per user and slow refusals, where plain-text files used to answer at once.
 * Files that give `password.hash` keep their own parameters.
 */
export const EMBEDDED_SCRYPT_LN = 10;
/** The first snapshot comes within milliseconds; this only guards against a wedged start. */
const FIRST_SNAPSHOT_TIMEOUT_MS = 15_000;

export class EmbeddedFeed implements PolicyFeed {
  private readonly source: FilePolicySource;
  private readonly store = new MemoryStore();
  private readonly sync: FileStoreSync;
  private cp: ControlPlane | undefined;
  private client: DiscoveryClient | undefined;
  private dir: string | undefined;
  /** The file set last written to the store (named in logs about the versions it produced). */
  private files: LoadedPolicy | undefined;
  private loadedVersion = 0;

  constructor(
    paths: readonly string[],
    private readonly root: Logger,
    private readonly log: Logger,
    private readonly registry: Registry,
    private readonly build: string,
  ) {
    this.source = new FilePolicySource(paths, root.child({ component: 'policy' }));
    this.sync = new FileStoreSync(this.store, root.child({ component: 'policy' }), { ln: EMBEDDED_SCRYPT_LN });
  }

  async load(proxy: ProxyServer): Promise<number | undefined> {
    let loaded: LoadedPolicy;
    try {
      loaded = await this.source.load();
    } catch (err) {
      if (err instanceof PolicyError) {
        this.log.fatal({ issues: err.issues.map(formatIssue) }, 'policy is invalid; not starting');
        process.stderr.write(`sockscale: ${err.message}\n`);
      } else {
        this.log.fatal({ err }, 'cannot load policy');
      }
      return 1;
    }
    let first: { version: number } | { error: string };
    try {
      this.dir = mkdtempSync(join(tmpdir(), 'sockscale-embedded-'));
      const address = `unix:${join(this.dir, 'control.sock')}`;
      // The files go into the store first, so the publisher's first snapshot already holds them.
      await this.sync.write(loaded.items);
      this.files = loaded;
      this.cp = new ControlPlane({ store: this.store, grpcAddress: address, adminHttp: null, logger: this.root, registry: this.registry });
      await this.cp.start();
      const client = watchControlPlane(proxy, {
        addresses: [address],
        nodeId: EMBEDDED_NODE_ID,
        build: this.build,
        // Files never had a rule limit; the proxy's other checks are the cluster's.
        maxPolicyRules: Number.MAX_SAFE_INTEGER,
        root: this.root,
        registry: this.registry,
      });
      this.client = client;
      first = await firstAnswer(client);
    } catch (err) {
      this.log.fatal({ err: (err as Error).message, code: (err as { code?: string }).code }, 'cannot start the embedded control plane');
      this.close();
      return 1;
    }
    if ('error' in first) {
      this.log.fatal({ error: first.error, files: loaded.files }, 'policy rejected by the proxy; not starting');
      this.close();
      return 1;
    }
    this.loadedVersion = first.version;
    this.log.info({ version: first.version, files: loaded.files, objects: loaded.objects }, 'policy loaded');
    return undefined;
  }

  first(): Promise<number | undefined> {
    return Promise.resolve(undefined);
  }

  async follow(proxy: ProxyServer): Promise<void> {
    const client = this.client as DiscoveryClient;
    client.on('applied', (s) => {
      if (s.version <= this.loadedVersion) return;
      this.log.info({ version: s.version, files: this.files?.files, objects: this.files?.objects }, 'policy reloaded');
    });
    client.on('rejected', (r) =>
      this.log.error({ version: r.version, error: r.error, files: this.files?.files, keptVersion: proxy.policyVersion }, 'policy from the files rejected by the proxy; keeping the previous one'),
    );
    this.source.on('snapshot', (next) => {
      this.sync.write(next.items).then(
        (r) => {
          this.files = next;
          if (r.changed.length === 0) this.log.debug({ files: next.files }, 'policy files changed but their objects did not');
        },
        (err: unknown) => this.log.error({ err: (err as Error).message, files: next.files, keptVersion: proxy.policyVersion }, 'cannot write the policy files to the store; keeping the previous policy'),
      );
    });
    this.source.on('rejected', (err) => {
      proxy.metrics.policyReloads.inc({ result: 'rejected' });
      this.log.error({ issues: err.issues.map(formatIssue), keptVersion: proxy.policyVersion }, 'new policy is invalid; keeping the previous one');
    });
    await this.source.watch();
  }

  waiting(): string | undefined {
    return undefined;
  }

  reload(reason: string): void {
    void this.source.reload(reason);
  }

  close(): void {
    this.source.close();
    this.client?.close();
    const cp = this.cp;
    const dir = this.dir;
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
    void cp?.stop().catch(() => undefined);
  }
}

/** The proxy's answer to the first snapshot: applied (ACK) or rejected (NACK). */
function firstAnswer(client: DiscoveryClient): Promise<{ version: number } | { error: string }> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`no policy snapshot from the in-process control plane within ${FIRST_SNAPSHOT_TIMEOUT_MS} ms`)), FIRST_SNAPSHOT_TIMEOUT_MS);
    const done = (r: { version: number } | { error: string }): void => {
      clearTimeout(t);
      client.off('applied', onApplied);
      client.off('rejected', onRejected);
      resolve(r);
    };
    const onApplied = (s: { version: number }): void => done({ version: s.version });
    const onRejected = (r: { error: string }): void => done({ error: r.error });
    client.on('applied', onApplied);
    client.on('rejected', onRejected);
  });
}
