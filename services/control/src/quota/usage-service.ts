/**
 * sockscale.usage.v1.UsageService (Sync stream) and QuotaAdmin (Status). Each Sync request is
 * applied item by item through the ledger (one compare-and-swap per account) and answered
 * with one response; requests of one stream are handled in order. A request the ledger cannot
 * apply (etcd unreachable) is answered without grants for the failed items: the proxy keeps
 * spending what it holds until the grant TTL and retries.
 */
import * as grpc from '@grpc/grpc-js';
import type { AccountGrant, AllotmentGrant, Logger, QuotaAdminHandlers, QuotaStatusRequest__Output, QuotaStatusResponse, SyncRequest__Output, SyncResponse, UsageServiceHandlers } from '@sockscale/common';
import type { AdminAuth } from '../grpc/admin-auth';
import { statusError } from '../grpc/status-error';
import type { QuotaControlMetrics } from './quota-metrics';
import type { AccountRef, QuotaLedger } from './quota-ledger';

const MAX_ID_LENGTH = 253;
const MAX_ACCOUNTS_PER_REQUEST = 10_000;

/** Checks one request; returns every problem (empty = fine). */
export function checkSyncRequest(req: SyncRequest__Output): string[] {
  const issues: string[] = [];
  if (req.proxyId === '' || req.proxyId.length > MAX_ID_LENGTH) issues.push(`proxyId: must be 1-${MAX_ID_LENGTH} characters`);
  if (req.accounts.length > MAX_ACCOUNTS_PER_REQUEST) issues.push(`accounts: at most ${MAX_ACCOUNTS_PER_REQUEST} per request, got ${req.accounts.length}`);
  req.accounts.forEach((a, i) => {
    const at = `accounts[${i}]`;
    if (a.quota === '' || a.quota.length > MAX_ID_LENGTH) issues.push(`${at}.quota: must be a SocksQuota name`);
    if (a.member === '' || a.member.length > MAX_ID_LENGTH) issues.push(`${at}.member: must be a user name or "*"`);
    if (a.lease === '' || a.lease.length > 2 * MAX_ID_LENGTH || !a.lease.startsWith(`${req.proxyId}#`)) issues.push(`${at}.lease: must be "<proxyId>#<n>"`);
    for (const f of ['periodStart', 'seq', 'usedTotal', 'want'] as const) {
      const v = Number(a[f]);
      if (!Number.isSafeInteger(v) || v < 0) issues.push(`${at}.${f}: must be a non-negative integer, got ${String(a[f])}`);
    }
    if (Number(a.seq) === 0) issues.push(`${at}.seq: starts at 1`);
  });
  if (req.allotments.length > MAX_ACCOUNTS_PER_REQUEST) issues.push(`allotments: at most ${MAX_ACCOUNTS_PER_REQUEST} per request, got ${req.allotments.length}`);
  req.allotments.forEach((a, i) => {
    const at = `allotments[${i}]`;
    if (a.quota === '' || a.quota.length > MAX_ID_LENGTH) issues.push(`${at}.quota: must be a SocksQuota name`);
    if (a.member === '' || a.member.length > MAX_ID_LENGTH) issues.push(`${at}.member: must be a user name or "*"`);
    for (const f of ['rate', 'activeSessions', 'connectionsInUse', 'connectionsWant'] as const) {
      const v = Number(a[f]);
      if (!Number.isSafeInteger(v) || v < 0) issues.push(`${at}.${f}: must be a non-negative integer, got ${String(a[f])}`);
    }
  });
  return issues;
}


/** Applies one (checked) SyncRequest through the ledger; the in-process transport of embedded mode calls this directly. */
export async function handleSyncRequest(ledger: QuotaLedger, metrics: QuotaControlMetrics | undefined, log: Logger, req: SyncRequest__Output): Promise<SyncResponse> {
  const proxyId = req.proxyId;
  const grants: AccountGrant[] = [];
  for (const a of req.accounts) {
    const account: AccountRef = { quota: a.quota, member: a.member };
    try {
      const r = await ledger.sync(account, Number(a.periodStart), { lease: a.lease, seq: Number(a.seq), usedTotal: Number(a.usedTotal), want: Number(a.want), release: a.release });
      metrics?.syncs.inc({ result: r.unknown ? 'unknown' : r.lapsed ? 'lapsed' : r.duplicate ? 'duplicate' : 'ok' });
      if (r.duplicate) metrics?.duplicates.inc();
      for (const s of r.settled) metrics?.settledBytes.inc({ quota: a.quota }, s.unspent);
      grants.push({
        quota: a.quota,
        member: a.member,
        lease: a.lease,
        periodStart: r.periodStart,
        periodEnd: r.periodEnd,
        grantedTotal: r.grantedTotal,
        ttlMs: r.ttlMs,
        exhausted: r.exhausted,
        lapsed: r.lapsed,
        unknown: r.unknown,
        limit: r.limit,
        used: r.used,
        remaining: r.remaining,
      });
    } catch (err) {
      metrics?.syncs.inc({ result: 'error' });
      log.warn({ proxy: proxyId, quota: a.quota, err: err instanceof Error ? err.message : String(err) }, 'usage report not applied');
    }
  }
  const allotments: AllotmentGrant[] = [];
  for (const a of req.allotments) {
    try {
      const r = await ledger.allotments.sync({ quota: a.quota, member: a.member }, proxyId, {
        rate: Number(a.rate),
        sessions: Number(a.activeSessions),
        limited: a.limited,
        inUse: Number(a.connectionsInUse),
        want: Number(a.connectionsWant),
        release: a.release,
      });
      metrics?.allotments.inc({ result: r.unknown ? 'unknown' : 'ok' });
      allotments.push({ quota: a.quota, member: a.member, bandwidthShare: r.bandwidthShare, throttleShare: r.throttleShare, connections: r.connections, connectionsLimit: r.connectionsLimit, unknown: r.unknown, failed: false, ttlMs: ledger.ttlMs });
    } catch (err) {
      metrics?.allotments.inc({ result: 'error' });
      allotments.push({ quota: a.quota, member: a.member, failed: true });
      log.warn({ proxy: proxyId, quota: a.quota, err: err instanceof Error ? err.message : String(err) }, 'allotment report not applied');
    }
  }
  return { requestId: req.requestId, grants, allotments };
}

export function usageHandlers(deps: { ledger: QuotaLedger; metrics: QuotaControlMetrics; log: Logger }): UsageServiceHandlers {
  const { ledger, metrics, log } = deps;
  return {
    Sync(call: grpc.ServerDuplexStream<SyncRequest__Output, SyncResponse>) {
      metrics.streams.inc();
      let chain: Promise<void> = Promise.resolve();
      let done = false;
      let proxyId: string | undefined;
      const finish = (): void => {
        if (done) return;
        done = true;
        metrics.streams.dec();
      };
      call.on('data', (req: SyncRequest__Output) => {
        chain = chain.then(async () => {
          if (done) return;
          const issues = checkSyncRequest(req);
          if (issues.length > 0) {
            finish();
            call.emit('error', statusError(grpc.status.INVALID_ARGUMENT, `bad SyncRequest:\n${issues.join('\n')}`));
            return;
          }
          if (proxyId === undefined) {
            proxyId = req.proxyId;
            log.info({ proxy: proxyId, peer: call.getPeer() }, 'usage stream opened');
          }
          const res = await handleSyncRequest(ledger, metrics, log, req);
          if (!done) call.write(res);
        });
      });
      call.on('end', () => {
        void chain.then(() => {
          finish();
          call.end();
        });
      });
      call.on('error', finish);
      call.on('cancelled', finish);
      call.on('close', finish);
    },
  };
}

export function quotaAdminHandlers(deps: { ledger: QuotaLedger; auth: AdminAuth; replica: string; members: () => AccountRef[]; log: Logger }): QuotaAdminHandlers {
  return {
    Status(call: grpc.ServerUnaryCall<QuotaStatusRequest__Output, QuotaStatusResponse>, callback: grpc.sendUnaryData<QuotaStatusResponse>) {
      const denied = deps.auth.check(call.metadata, call.getAuthContext());
      if (denied !== undefined) return void callback(denied);
      const filter: { quota?: string; member?: string } = {};
      if (call.request.quota !== '') filter.quota = call.request.quota;
      if (call.request.member !== '') filter.member = call.request.member;
      deps.ledger.status(filter, deps.members()).then(
        (accounts) =>
          callback(null, {
            replica: deps.replica,
            accounts: accounts.map((a) => ({ quota: a.quota, member: a.member, periodStart: a.periodStart, periodEnd: a.periodEnd, limit: a.limit, used: a.used, outstanding: a.outstanding, remaining: a.remaining, leases: a.leases })),
          }),
        (err: unknown) => callback(statusError(grpc.status.UNAVAILABLE, err instanceof Error ? err.message : String(err))),
      );
    },
  };
}
