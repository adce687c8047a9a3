/**
 * Where `serve` gets policy: control-plane replicas, or files through an in-process control
 * plane (embedded-feed.ts). Both receive snapshots with a DiscoveryClient (watchControlPlane):
 * the one path that checks a snapshot, applies it (ProxyServer.applySnapshot: compile once,
 * swap, re-check open tunnels) and ACKs or NACKs it.
 */
import { readFileSync } from 'node:fs';
import type { Logger, Registry } from '@sockscale/common';
import type { DiscoveryClient, ProxyServer } from '@sockscale/proxy';
import type { DiscoveryConfig, ServeConfig } from '../config';
import { EmbeddedFeed } from './embedded-feed';
import { watchControlPlane } from './watch-control-plane';

export interface PolicyFeed {
  /** Before the admin endpoint starts: an exit code to stop with, or undefined. */
  load(proxy: ProxyServer): Promise<number | undefined>;
  /** After the admin endpoint started, before listening: the first policy must be in force. */
  first(proxy: ProxyServer): Promise<number | undefined>;
  /** Follow changes. */
  follow(proxy: ProxyServer): Promise<void>;
  /** Why the proxy is not ready yet (waiting for policy), if that is why. */
  waiting(): string | undefined;
  reload(reason: string): void;
  close(): void;
}

/**
 * Policy from the control plane. Start behaviour (--initial-policy): `wait` (default) keeps the
 * proxy not listening and not ready until the first snapshot, however long it takes: in a
 * cluster a proxy without policy must not take traffic, and Kubernetes keeps it out of the
 * Service while /readyz says so. `fail` exits 1 after the timeout (let the supervisor retry);
 * `deny-all` listens after the timeout with an empty policy (every request denied with 0x02,
 * ready) and takes the real policy when it comes.
 */
export class ControlPlaneFeed implements PolicyFeed {
  private client: DiscoveryClient | undefined;
  private waitingSince: number | undefined;

  constructor(
    private readonly cfg: DiscoveryConfig,
    private readonly root: Logger,
    private readonly log: Logger,
    private readonly registry: Registry,
    private readonly build: string,
  ) {}

  load(proxy: ProxyServer): Promise<number | undefined> {
    let tls: { ca: Buffer; cert?: Buffer; key?: Buffer } | undefined;
    try {
      if (this.cfg.tls !== undefined) {
        tls = { ca: readFileSync(this.cfg.tls.ca) };
        if (this.cfg.tls.cert !== undefined && this.cfg.tls.key !== undefined) {
          tls.cert = readFileSync(this.cfg.tls.cert);
          tls.key = readFileSync(this.cfg.tls.key);
        }
      }
    } catch (err) {
      this.log.fatal({ err: (err as Error).message }, 'cannot read control-plane TLS files');
      return Promise.resolve(1);
    }
    const client = watchControlPlane(proxy, {
      addresses: this.cfg.addresses,
      nodeId: this.cfg.nodeId,
      build: this.build,
      maxPolicyRules: this.cfg.maxPolicyRules,
      root: this.root,
      registry: this.registry,
      ...(tls === undefined ? {} : { tls }),
    });
    client.on('applied', (s) =>
      this.log.info({ version: s.version, objects: [...s.users, ...s.policies].map((o) => `${o.kind}/${o.metadata.name}`), source: client.address }, 'policy snapshot applied'),
    );
    this.client = client;
    this.waitingSince = Date.now();
    return Promise.resolve(undefined);
  }

  async first(proxy: ProxyServer): Promise<number | undefined> {
    const client = this.client as DiscoveryClient;
    const { initialPolicy: mode, initialPolicyTimeoutMs: timeoutMs } = this.cfg;
    this.log.info({ controlPlane: this.cfg.addresses, node: this.cfg.nodeId, mode, timeoutMs }, 'waiting for the first policy snapshot');
    const got = client.firstSnapshot().then(() => true);
    if (mode === 'wait') {
      await got;
    } else {
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs)));
      const ok = await Promise.race([got, timedOut]);
      clearTimeout(timer);
      if (!ok && mode === 'fail') {
        this.log.fatal({ timeoutMs, controlPlane: this.cfg.addresses }, 'no policy snapshot from the control plane in time; exiting (--initial-policy fail)');
        client.close();
        return 1;
      }
      if (!ok) {
        proxy.applySnapshot({ version: 0, users: [], policies: [] });
        this.log.warn({ timeoutMs }, 'no policy snapshot yet; serving with deny-all until one arrives (--initial-policy deny-all)');
      }
    }
    this.waitingSince = undefined;
    return undefined;
  }

  follow(): Promise<void> {
    return Promise.resolve();
  }

  waiting(): string | undefined {
    return this.waitingSince === undefined ? undefined : 'waiting for the first policy snapshot from the control plane';
  }

  reload(): void {
    this.log.info({}, 'SIGHUP ignored: policy comes from the control plane');
  }

  close(): void {
    this.client?.close();
  }
}

export function policyFeed(config: ServeConfig, root: Logger, log: Logger, registry: Registry, build: string): PolicyFeed {
  return config.controlPlane === undefined ? new EmbeddedFeed(config.policyPaths, root, log, registry, build) : new ControlPlaneFeed(config.controlPlane, root, log, registry, build);
}
