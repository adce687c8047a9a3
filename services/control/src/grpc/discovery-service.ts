/**
 * sockscale.policy.v1.PolicyDiscovery: Get and the xDS-style Watch. Each stream holds at most
 * one snapshot in flight in the socket buffer: when the client is slow, newer snapshots replace
 * the queued one (only the latest matters), so a stuck proxy never grows the replica's memory.
 *
 * Fan-out cost: a published snapshot is encoded once (WatchResponse bytes, with one nonce per
 * version) and the same Buffer is written to every stream (pre-encoded.ts); per watcher there
 * is no O(snapshot) work left in this file. One nonce per version is enough: a stream is never
 * sent the same version twice (versions only grow per stream), so a nonce still names one push.
 */
import { randomBytes } from 'node:crypto';
import * as grpc from '@grpc/grpc-js';
import { loadSockscaleProto, type GetSnapshotRequest__Output, type Logger, type PolicyDiscoveryHandlers, type Snapshot__Output, type WatchRequest__Output, type WatchResponse } from '@sockscale/common';
import type { PolicyPublisher, PublishedSnapshot } from '../snapshot';
import type { AckTracker, TrackedProxy } from './ack-tracker';
import type { ControlMetrics } from './control-metrics';
import { preEncoded, type PreEncoded } from './pre-encoded';
import { statusError } from './status-error';

const MAX_ID_LENGTH = 253;

export function discoveryHandlers(deps: {
  publisher: PolicyPublisher;
  tracker: AckTracker;
  metrics: ControlMetrics;
  log: Logger;
  /** WatchResponse encoder (default: the generated one; tests count its calls). */
  serialize?: (v: WatchResponse) => Buffer;
}): PolicyDiscoveryHandlers {
  const { publisher, tracker, metrics, log } = deps;
  const serialize = deps.serialize ?? loadSockscaleProto().sockscale.policy.v1.PolicyDiscovery.service.Watch?.responseSerialize;
  /** The encoded WatchResponse of each published snapshot, built by the first stream that sends it. */
  const encoded = new WeakMap<PublishedSnapshot, { nonce: string; message: PreEncoded }>();
  const encode = (p: PublishedSnapshot): { nonce: string; message: PreEncoded } => {
    let e = encoded.get(p);
    if (e === undefined) {
      const nonce = randomBytes(8).toString('hex');
      e = { nonce, message: preEncoded(serialize({ snapshot: p.snapshot, nonce })) };
      encoded.set(p, e);
    }
    return e;
  };
  return {
    Get(call: grpc.ServerUnaryCall<GetSnapshotRequest__Output, Snapshot__Output>, callback: grpc.sendUnaryData<Snapshot__Output>) {
      const cur = publisher.snapshot;
      if (cur === undefined) {
        callback(statusError(grpc.status.UNAVAILABLE, 'no policy snapshot yet: nothing applied, or the store has not been read'));
        return;
      }
      callback(null, cur.snapshot);
    },

    Watch(call: grpc.ServerDuplexStream<WatchRequest__Output, WatchResponse>) {
      let proxy: TrackedProxy | undefined;
      let inFlight: { nonce: string; version: number; builtAt: number } | undefined;
      let queued: PublishedSnapshot | undefined;
      let writing = false;
      let done = false;
      const peer = call.getPeer();

      const fail = (code: grpc.status, message: string): void => {
        if (done) return;
        finish();
        call.emit('error', statusError(code, message));
      };
      const send = (p: PublishedSnapshot): void => {
        if (done || proxy === undefined) return;
        // Only newer than what the proxy has: a replica that lags behind the one the proxy came
        // from (it is still batching) must not roll the proxy back to an older policy.
        if (p.snapshot.version <= proxy.sentVersion) return;
        if (writing) {
          queued = p;
          return;
        }
        const { nonce, message } = encode(p);
        inFlight = { nonce, version: p.snapshot.version, builtAt: p.builtAt };
        tracker.sent(proxy, p.snapshot.version);
        metrics.pushes.inc();
        writing = true;
        // The service definition passes PreEncoded bytes through (grpc-server.ts).
        const flushed = call.write(message as unknown as WatchResponse, () => {
          writing = false;
          const next = queued;
          queued = undefined;
          if (next !== undefined) send(next);
        });
        void flushed;
      };
      const onSnapshot = (p: PublishedSnapshot): void => send(p);
      const finish = (): void => {
        if (done) return;
        done = true;
        publisher.off('snapshot', onSnapshot);
        if (proxy !== undefined) {
          tracker.disconnect(proxy);
          metrics.watchers.dec();
          log.info({ proxy: proxy.id, peer }, 'proxy watch closed');
        }
      };

      call.on('data', (req: WatchRequest__Output) => {
        if (done) return;
        if (proxy === undefined) {
          if (req.message !== 'hello' || req.hello === null || req.hello === undefined) {
            fail(grpc.status.INVALID_ARGUMENT, 'the first Watch message must be a hello naming the node');
            return;
          }
          const node = req.hello.node;
          const id = node?.id ?? '';
          if (id === '' || id.length > MAX_ID_LENGTH) {
            fail(grpc.status.INVALID_ARGUMENT, `hello.node.id must be 1-${MAX_ID_LENGTH} characters`);
            return;
          }
          proxy = tracker.connect({ id, build: node?.build ?? '', metadata: node?.metadata ?? {} }, peer, req.hello.haveVersion);
          metrics.watchers.inc();
          log.info({ proxy: id, peer, haveVersion: req.hello.haveVersion }, 'proxy watching');
          // Headers now, so the proxy knows the stream is up even when it is already current.
          call.sendMetadata(new grpc.Metadata());
          publisher.on('snapshot', onSnapshot);
          const cur = publisher.snapshot;
          if (cur !== undefined) send(cur);
          return;
        }
        if (req.message === 'ack' && req.ack) {
          if (inFlight === undefined || req.ack.nonce !== inFlight.nonce) return; // stale answer
          tracker.ack(proxy, req.ack.version);
          metrics.responses.inc({ result: 'ack' });
          metrics.propagationSeconds.observe((Date.now() - inFlight.builtAt) / 1000);
          log.debug({ proxy: proxy.id, version: req.ack.version }, 'snapshot ACKed');
          return;
        }
        if (req.message === 'nack' && req.nack) {
          if (inFlight === undefined || req.nack.nonce !== inFlight.nonce) return;
          tracker.nack(proxy, req.nack.version, req.nack.appliedVersion, req.nack.error.slice(0, 4096));
          metrics.responses.inc({ result: 'nack' });
          log.warn({ proxy: proxy.id, version: req.nack.version, appliedVersion: req.nack.appliedVersion, error: req.nack.error.slice(0, 4096) }, 'snapshot NACKed by proxy');
          return;
        }
        fail(grpc.status.INVALID_ARGUMENT, `unexpected Watch message "${req.message ?? 'empty'}" after hello`);
      });
      call.on('end', () => {
        finish();
        call.end();
      });
      call.on('cancelled', finish);
      call.on('error', finish);
      call.on('close', finish);
    },
  };
}
