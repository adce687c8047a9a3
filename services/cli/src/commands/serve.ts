import { AdminServer, createMetricsRegistry, createRootLogger, flushLogger } from '@sockscale/common';
import { ProxyServer } from '@sockscale/proxy';
import { relayRegistryFor } from './udp-relay';
import { formatHostPort, type ServeConfig } from '../config';
import { VERSION } from '../version';
import { policyFeed } from './policy-feed';
import { attachQuota } from './quota-wiring';

/**
 * `sockscale serve`: the proxy and its admin endpoint in one process, with policy from YAML
 * files (embedded mode) or from control-plane replicas (policy-feed.ts). Resolves with the exit
 * code once the process should exit.
 */
export async function serve(config: ServeConfig): Promise<number> {
  const root = createRootLogger({ level: config.logLevel, format: config.logFormat });
  const log = root.child({ component: 'serve' });
  // A bug must not leave a half-working proxy behind: log it and exit, and let the supervisor
  // (systemd, Kubernetes) restart a clean process.
  const die = (kind: string) => (err: unknown) => {
    log.fatal({ err }, kind);
    flushLogger(root);
    process.exit(70);
  };
  process.on('uncaughtException', die('uncaught exception'));
  process.on('unhandledRejection', die('unhandled promise rejection'));
  const registry = createMetricsRegistry();
  const relay = relayRegistryFor(config, root, registry);
  if (typeof relay === 'number') {
    flushLogger(root);
    return relay;
  }
  const proxy = new ProxyServer({ options: config.proxy, logger: root, registry, ...(relay.port === undefined ? {} : { udpRelay: relay.port }) });
  const quota = attachQuota(proxy, config, root, registry);
  const feed = policyFeed(config, root, log, registry, VERSION);
  const loadFailed = await feed.load(proxy);
  if (loadFailed !== undefined) {
    flushLogger(root);
    return loadFailed;
  }

  let admin: AdminServer | undefined;
  let adminUrl = 'off';
  let shuttingDown = false;
  try {
    if (config.admin !== null) {
      admin = new AdminServer(
        registry,
        {
          healthy: () => true,
          ready: () => (proxy.ready ? { ready: true } : { ready: false, reason: shuttingDown ? 'draining' : (feed.waiting() ?? 'not listening') }),
        },
        root.child({ component: 'admin' }),
      );
      const a = await admin.listen(config.admin.host, config.admin.port);
      adminUrl = `http://${formatHostPort(a.address, a.port)}`;
    }
    const noPolicy = await feed.first(proxy);
    if (noPolicy !== undefined) {
      await admin?.close();
      flushLogger(root);
      return noPolicy;
    }
    await proxy.listen(config.listen.host, config.listen.port);
    relay.started(proxy);
  } catch (err) {
    log.fatal({ err: (err as Error).message, code: (err as { code?: string }).code }, 'cannot listen');
    feed.close();
    await admin?.close();
    flushLogger(root);
    return 1;
  }
  const socks = proxy.address();
  log.info(
    {
      socks: formatHostPort(socks.address, socks.port),
      admin: adminUrl,
      policyVersion: proxy.policyVersion,
      udpMode: config.udp.mode,
      udpRelay: relay.describe(proxy),
    },
    'sockscale listening',
  );

  await feed.follow(proxy);

  return new Promise<number>((resolve) => {
    const onHup = (): void => {
      log.info({}, 'SIGHUP: reloading policy');
      feed.reload('SIGHUP');
    };
    const shutdown = (signal: string): void => {
      if (shuttingDown) {
        log.warn({ signal }, 'second signal: exiting now');
        flushLogger(root);
        resolve(1);
        return;
      }
      shuttingDown = true;
      log.info({ signal, sessions: proxy.activeSessions, deadlineMs: proxy.options.drainTimeoutMs }, 'draining');
      feed.close();
      void proxy.drain().then(async ({ cut }) => {
        quota.close();
        await admin?.close();
        log.info({ cut }, 'stopped');
        flushLogger(root);
        process.removeListener('SIGHUP', onHup);
        resolve(0);
      });
    };
    process.on('SIGHUP', onHup);
    process.on('SIGTERM', () => shutdown('SIGTERM'));
    process.on('SIGINT', () => shutdown('SIGINT'));
  });
}
