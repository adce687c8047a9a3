/** sockscale.admin.v1.PolicyAdmin: apply/delete/list policy objects and list proxy ACK state. */
import * as grpc from '@grpc/grpc-js';
import {
  formatIssue,
  isPolicyKind,
  POLICY_KINDS,
  toEnvelope,
  type ApplyRequest__Output,
  type ApplyResponse,
  type DeleteRequest__Output,
  type DeleteResponse,
  type ListProxiesResponse,
  type ListRequest__Output,
  type ListResponse,
  type Logger,
  type PolicyAdminHandlers,
} from '@sockscale/common';
import { storedForm, type PolicyStore } from '../store';
import type { PolicyPublisher } from '../snapshot';
import type { AckTracker } from './ack-tracker';
import type { AdminAuth } from './admin-auth';
import type { ControlMetrics } from './control-metrics';
import { hashPlaintextPasswords, MAX_APPLY_BYTES, parseAndValidate } from './prepare-objects';
import { statusError } from './status-error';
import { storeStatus } from './store-status';

interface Deps {
  store: PolicyStore;
  publisher: PolicyPublisher;
  tracker: AckTracker;
  auth: AdminAuth;
  metrics: ControlMetrics;
  log: Logger;
  replica: string;
}

type Callback<T> = grpc.sendUnaryData<T>;
type StatusErr = Error & Partial<grpc.StatusObject>;

export function adminHandlers(deps: Deps): PolicyAdminHandlers {
  const { store, publisher, tracker, auth, metrics, log } = deps;

  /** Runs one admin call: credential check, then `body`; counts the outcome by status code. */
  const guarded = <Req, Res>(method: string, body: (req: Req) => Promise<Res>) =>
    (call: grpc.ServerUnaryCall<Req, Res>, callback: Callback<Res>): void => {
      const done = (err: StatusErr | null, res?: Res): void => {
        metrics.adminRequests.inc({ method, code: grpc.status[err?.code ?? grpc.status.OK] });
        if (err !== null) callback(err);
        else callback(null, res);
      };
      const denied = auth.check(call.metadata, call.getAuthContext());
      if (denied !== undefined) {
        log.warn({ method, peer: call.getPeer(), reason: denied.message }, 'admin call refused');
        done(denied);
        return;
      }
      body(call.request).then(
        (res) => done(null, res),
        (err: unknown) => {
          const status = typeof (err as StatusErr).code === 'number' ? (err as StatusErr) : storeStatus(err);
          if (status.code === grpc.status.INTERNAL) log.error({ method, err }, 'admin call failed');
          done(status);
        },
      );
    };

  return {
    Apply: guarded<ApplyRequest__Output, ApplyResponse>('Apply', async (req) => {
      const prepared = parseAndValidate(req.objectsJson, req.sources);
      if (!prepared.ok) {
        const code = prepared.tooLarge === true ? grpc.status.RESOURCE_EXHAUSTED : grpc.status.INVALID_ARGUMENT;
        throw statusError(code, `invalid objects (${prepared.issues.length} problem(s)):\n${prepared.issues.map((i) => `  - ${formatIssue(i)}`).join('\n')}`);
      }
      const current = await store.read();
      const objects = await hashPlaintextPasswords(prepared.objects, current.objects);
      const bytes = objects.reduce((n, o) => n + storedForm(o).length, 0);
      if (bytes > MAX_APPLY_BYTES) throw statusError(grpc.status.RESOURCE_EXHAUSTED, `request stores ${bytes} bytes of objects; at most ${MAX_APPLY_BYTES} per apply (split the files)`);
      if (req.dryRun) {
        const existing = new Map(current.objects.map((s) => [`${s.object.kind}/${s.object.metadata.name}`, storedForm(s.object)]));
        return {
          version: 0,
          results: objects.map((o) => {
            const old = existing.get(`${o.kind}/${o.metadata.name}`);
            return { kind: o.kind, name: o.metadata.name, outcome: old === undefined ? 'created' : old === storedForm(o) ? 'unchanged' : 'configured', generation: 0 };
          }),
        };
      }
      const r = await store.apply(objects);
      log.info({ version: r.version, objects: r.results.map((x) => `${x.kind}/${x.name}=${x.outcome}`) }, 'objects applied');
      return { version: r.version, results: r.results };
    }),

    Delete: guarded<DeleteRequest__Output, DeleteResponse>('Delete', async (req) => {
      const issues: string[] = [];
      if (req.objects.length === 0) issues.push('no objects to delete');
      req.objects.forEach((ref, i) => {
        if (!isPolicyKind(ref.kind)) issues.push(`objects[${i}].kind: "${ref.kind}" is not one of ${POLICY_KINDS.join(', ')}`);
        if (ref.name === '') issues.push(`objects[${i}].name: required`);
      });
      if (issues.length > 0) throw statusError(grpc.status.INVALID_ARGUMENT, `invalid delete request:\n${issues.map((s) => `  - ${s}`).join('\n')}`);
      const r = await store.delete(req.objects.map((o) => ({ kind: o.kind, name: o.name })));
      log.info({ version: r.version, objects: r.results.map((x) => `${x.kind}/${x.name}`) }, 'objects deleted');
      return { version: r.version, results: r.results };
    }),

    List: guarded<ListRequest__Output, ListResponse>('List', async (req) => {
      if (req.kind !== '' && !isPolicyKind(req.kind)) throw statusError(grpc.status.INVALID_ARGUMENT, `kind "${req.kind}" is not one of ${POLICY_KINDS.join(', ')}`);
      const state = await store.read();
      return {
        version: state.version,
        objects: state.objects.filter((s) => req.kind === '' || s.object.kind === req.kind).map((s) => toEnvelope(s.object, s.modRevision)),
      };
    }),

    ListProxies: guarded<unknown, ListProxiesResponse>('ListProxies', () =>
      Promise.resolve({ version: publisher.snapshot?.snapshot.version ?? 0, proxies: tracker.list(), replica: deps.replica }),
    ),
  };
}
