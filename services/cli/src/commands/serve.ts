import { AdminServer, createMetricsRegistry, createRootLogger, flushLogger, formatIssue, PolicyError, type Logger } from '@sockscale/common';
import { FilePolicySource, type LoadedPolicy } from '@sockscale/control';
import { ProxyServer } from '@sockscale/proxy';
import { formatHostPort, type ServeConfig } from '../config';

/**
 * `sockscale serve` in embedded mode: policy from YAML files, the proxy and its admin endpoint
 * in one process. Resolves with the exit code once the process should exit.
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
  const source = new FilePolicySource(config.policyPaths, root.child({ component: 'policy' }));

  let loaded: LoadedPolicy;
  try {
    loaded = await source.load();
  } catch (err) {
    if (err instanceof PolicyError) {
      log.fatal({ issues: err.issues.map(formatIssue) }, 'policy is invalid; not starting');
      process.stderr.write(`sockscale: ${err.message}\n`);
    } else {
      log.fatal({ err }, 'cannot load policy');
    }
    flushLogger(root);
    return 1;
  }

  const proxy = new ProxyServer({ options: config.proxy, logger: root, registry });
  const applied = proxy.applySnapshot(loaded.snapshot);
  if (!applied.ok) {
    log.fatal({ error: applied.error }, 'policy rejected by the proxy; not starting');
    flushLogger(root);
    return 1;
  }
  logPolicy(log, 'policy loaded', loaded);

  let admin: AdminServer | undefined;
  let adminUrl = 'off';
  let shuttingDown = false;
  try {
    if (config.admin !== null) {
      admin = new AdminServer(
        registry,
        {
          healthy: () => true,
          ready: () => (proxy.ready ? { ready: true } : { ready: false, reason: shuttingDown ? 'draining' : 'not listening' }),
        },
        root.child({ component: 'admin' }),
      );
      const a = await admin.listen(config.admin.host, config.admin.port);
      adminUrl = `http://${formatHostPort(a.address, a.port)}`;
    }
    await proxy.listen(config.listen.host, config.listen.port);
  } catch (err) {
    log.fatal({ err: (err as Error).message, code: (err as { code?: string }).code }, 'cannot listen');
    await admin?.close();
    flushLogger(root);
    return 1;
  }
  const socks = proxy.address();
  log.info(
    {
      socks: formatHostPort(socks.address, socks.port),
      admin: adminUrl,
      policyVersion: loaded.snapshot.version,
    },
    'sockscale listening',
  );

  source.on('snapshot', (next) => {
    const r = proxy.applySnapshot(next.snapshot);
    if (r.ok) logPolicy(log, 'policy reloaded', next);
  });
  source.on('rejected', (err) => {
    proxy.metrics.policyReloads.inc({ result: 'rejected' });
    log.error({ issues: err.issues.map(formatIssue), keptVersion: proxy.policyVersion }, 'new policy is invalid; keeping the previous one');
  });
  await source.watch();

  return new Promise<number>((resolve) => {
    const onHup = (): void => {
      log.info({}, 'SIGHUP: reloading policy');
      void source.reload('SIGHUP');
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
      source.close();
      void proxy.drain().then(async ({ cut }) => {
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

function logPolicy(log: Logger, msg: string, loaded: LoadedPolicy): void {
  log.info({ version: loaded.snapshot.version, files: loaded.files, objects: loaded.objects }, msg);
}
