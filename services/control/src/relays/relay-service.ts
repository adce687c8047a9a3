/**
 * sockscale.relay.v1.RelayRegistry over the store's RelayStore. Stateless per replica: leases
 * live in the store, so a proxy may register through one replica and renew through another.
 * Metrics: requests by method and status code, open watch streams.
 */
import * as grpc from '@grpc/grpc-js';
import { Counter, Gauge, type Logger, type RegistryEvent, type RelayRegistryHandlers, type Registry } from '@sockscale/common';
import { statusError } from '../grpc/status-error';
import { storeStatus } from '../grpc/store-status';
import { LeaseNotFoundError, type RegistryChange, type RelayStore } from './relay-types';
import { checkAssociation, checkId, checkLeaseId, checkRelay, checkTtl } from './relay-validate';

type StatusErr = Error & Partial<grpc.StatusObject>;

export class RelayMetrics {
  readonly requests: Counter<'method' | 'code'>;
  readonly watchers: Gauge;
  constructor(registry: Registry) {
    const registers = [registry];
    this.requests = new Counter({ name: 'sockscale_control_relay_requests_total', help: 'Relay registry calls by method and gRPC status code name.', labelNames: ['method', 'code'], registers });
    this.watchers = new Gauge({ name: 'sockscale_control_relay_watchers', help: 'Open relay registry Watch streams on this replica.', registers });
  }
}

/** A RegistryChange as the wire event. */
export function changeToEvent(c: RegistryChange): RegistryEvent {
  switch (c.type) {
    case 'reset':
      return { reset: true, relays: c.state.relays, associations: c.state.associations };
    case 'relay':
      return { relays: [c.relay] };
    case 'association':
      return { associations: [c.association] };
    case 'relay-removed':
      return { removedRelays: [c.id] };
    case 'association-removed':
      return { removedAssociations: [c.key] };
  }
}

export function relayHandlers(deps: { store: RelayStore; log: Logger; metrics: RelayMetrics }): RelayRegistryHandlers {
  const { store, log, metrics } = deps;

  const unary =
    <Req, Res>(method: string, body: (req: Req, problems: string[]) => Promise<Res>) =>
    (call: grpc.ServerUnaryCall<Req, Res>, callback: grpc.sendUnaryData<Res>): void => {
      const done = (err: StatusErr | null, res?: Res): void => {
        metrics.requests.inc({ method, code: grpc.status[err?.code ?? grpc.status.OK] });
        if (err !== null) callback(err);
        else callback(null, res);
      };
      const problems: string[] = [];
      let p: Promise<Res>;
      try {
        p = body(call.request, problems);
      } catch (err) {
        p = Promise.reject(err instanceof Error ? err : new Error(String(err)));
      }
      p.then(
        (res) => done(null, res),
        (err: unknown) => {
          if (err instanceof BadRequest) return done(statusError(grpc.status.INVALID_ARGUMENT, err.message));
          if (err instanceof LeaseNotFoundError) return done(statusError(grpc.status.NOT_FOUND, err.message));
          const status = storeStatus(err);
          if (status.code === grpc.status.INTERNAL) log.error({ err, method }, 'relay registry call failed');
          done(status);
        },
      );
    };

  const valid = (problems: string[]): void => {
    if (problems.length > 0) throw new BadRequest(problems.join('; '));
  };

  return {
    Register: unary('Register', async (req, problems) => {
      const relay = checkRelay(req.relay, problems);
      const ttl = checkTtl(req.ttlSeconds, problems);
      valid(problems);
      const r = await store.register(relay, ttl);
      log.info({ relay: relay.id, mode: relay.mode, advertised: relay.advertised.map((e) => `${e.host}:${e.port}`), ttlSeconds: r.ttlSeconds }, 'relay registered');
      return { leaseId: r.leaseId, ttlSeconds: r.ttlSeconds };
    }),
    KeepAlive: unary('KeepAlive', async (req, problems) => {
      const id = checkLeaseId(req.leaseId, problems);
      valid(problems);
      return { ttlSeconds: await store.keepAlive(id) };
    }),
    Deregister: unary('Deregister', async (req, problems) => {
      const id = checkLeaseId(req.leaseId, problems);
      valid(problems);
      await store.revoke(id);
      return {};
    }),
    Associate: unary('Associate', async (req, problems) => {
      const id = checkLeaseId(req.leaseId, problems);
      const a = checkAssociation(req.association, problems);
      valid(problems);
      await store.associate(id, a);
      return {};
    }),
    Dissociate: unary('Dissociate', async (req, problems) => {
      checkLeaseId(req.leaseId, problems);
      const owner = checkId('owner', req.owner, problems);
      const id = checkId('id', req.id, problems);
      valid(problems);
      await store.dissociate(owner, id);
      return {};
    }),
    Lookup: unary('Lookup', async (req) => {
      const state = await store.list();
      return { associations: state.associations.filter((a) => a.client.host === req.clientHost) };
    }),
    List: unary('List', async () => store.list()),
    Watch: (call) => {
      metrics.watchers.inc();
      log.debug({ node: call.request.nodeId, peer: call.getPeer() }, 'relay registry watch opened');
      const stop = store.follow((c) => {
        if (!call.cancelled) call.write(changeToEvent(c));
      });
      let ended = false;
      const end = (): void => {
        if (ended) return;
        ended = true;
        stop();
        metrics.watchers.dec();
      };
      call.on('cancelled', end);
      call.on('close', end);
      call.on('error', end);
    },
  };
}

class BadRequest extends Error {}
