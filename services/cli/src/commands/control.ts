/** `sockscale control`: one control-plane replica (gRPC over etcd, or an embedded store). */
import { createMetricsRegistry, createRootLogger, flushLogger } from '@sockscale/common';
import { ControlPlane, EtcdStore, KubeController, MemoryStore, type PolicyStore } from '@sockscale/control';
import { formatHostPort, type ControlConfig } from '../config';

export async function controlCommand(config: ControlConfig): Promise<number> {
  const root = createRootLogger({ level: config.logLevel, format: config.logFormat });
  const log = root.child({ component: 'control-main' });
  const die = (kind: string) => (err: unknown) => {
    log.fatal({ err }, kind);
    flushLogger(root);
    process.exit(70);
  };
  process.on('uncaughtException', die('uncaught exception'));
  process.on('unhandledRejection', die('unhandled promise rejection'));
  const registry = createMetricsRegistry();
  const store: PolicyStore =
    config.store.kind === 'etcd'
      ? new EtcdStore({ endpoints: config.store.endpoints, log: root.child({ component: 'etcd' }), proxyStatusTtlSeconds: config.proxyStatusTtlMs / 1000 })
      : new MemoryStore(config.store.kind === 'file' ? config.store.path : undefined);
  const cp = new ControlPlane({
    store,
    grpcAddress: config.grpc,
    adminHttp: config.admin,
    ...(config.tls === undefined ? {} : { tls: config.tls }),
    ...(config.adminToken === undefined ? {} : { adminToken: config.adminToken }),
    adminCertCNs: config.adminCertCNs,
    publisher: { holdOffMs: config.holdOffMs, maxDelayMs: config.maxDelayMs },
    quota: { ttlMs: config.grantTtlMs },
    logger: root,
    registry,
  });
  const kube =
    config.kube === undefined
      ? undefined
      : new KubeController(cp, {
          access: config.kube.access,
          namespace: config.kube.namespace,
          lease: { namespace: config.kube.leaseNamespace, name: config.kube.leaseName, identity: config.kube.identity },
          quotaStatusIntervalMs: config.kube.quotaStatusIntervalMs,
          log: root.child({ component: 'kubernetes' }),
        });
  try {
    await cp.start();
    await kube?.start();
  } catch (err) {
    log.fatal({ err: (err as Error).message, code: (err as { code?: string }).code }, 'cannot start the control plane');
    await cp.stop().catch(() => undefined);
    flushLogger(root);
    return 1;
  }
  const grpcHost = config.grpc.slice(0, config.grpc.lastIndexOf(':')).replace(/^\[|\]$/g, '');
  log.info(
    {
      grpc: formatHostPort(grpcHost, cp.grpcPort),
      admin: cp.adminAddress === undefined ? 'off' : `http://${formatHostPort(cp.adminAddress.address, cp.adminAddress.port)}`,
      store: config.store.kind === 'etcd' ? config.store.endpoints.join(',') : config.store.kind === 'file' ? `file:${config.store.path}` : 'memory',
      tls: config.tls === undefined ? 'off' : config.tls.clientCa === undefined ? 'tls' : 'mtls',
      adminApi: [...(config.adminToken === undefined ? [] : ['token']), ...config.adminCertCNs.map((cn) => `cert CN=${cn}`)].join(', ') || 'disabled (no --admin-token-file)',
      kubernetes: config.kube === undefined ? 'off' : `${config.kube.access.kind === 'in-cluster' ? 'in-cluster' : config.kube.access.path}, namespace ${config.kube.namespace ?? '(all)'}, lease ${config.kube.leaseNamespace}/${config.kube.leaseName} as ${config.kube.identity}`,
      ready: cp.readiness().ready,
      version: cp.publisher.snapshot?.snapshot.version ?? 0,
    },
    'control plane listening',
  );
  return new Promise<number>((resolve) => {
    let stopping = false;
    const shutdown = (signal: string): void => {
      if (stopping) {
        resolve(1);
        return;
      }
      stopping = true;
      log.info({ signal }, 'stopping');
      void (kube?.close() ?? Promise.resolve()).then(() => cp.stop()).then(() => {
        flushLogger(root);
        resolve(0);
      });
    };
    process.on('SIGTERM', () => shutdown('SIGTERM'));
    process.on('SIGINT', () => shutdown('SIGINT'));
  });
}
