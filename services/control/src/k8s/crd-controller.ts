/**
 * The Kubernetes controller (run by the leader only): informers for SocksPolicy, SocksUser,
 * SocksQuota and Secrets -> validated objects -> the same PolicyStore the admin API writes ->
 * snapshots; and status conditions (`Accepted`, `Programmed`) back onto the CRs, plus SocksQuota
 * usage from the quota ledger (quota-status.ts).
 *
 * Ownership: every object the controller writes carries the label
 * `sockscale.io/managed-by: kubernetes` and the annotation `sockscale.io/source: <ns>/<name>`.
 * The controller creates, updates and deletes only objects with that label; an object of the
 * same kind and name applied with `sockscale apply` (no label) is left alone and the CR gets
 * `Accepted=False, reason Conflict`. Two CRs of one kind and name in different namespaces:
 * the older one wins, the other gets `Conflict`.
 *
 * Secrets: a SocksUser's `passwordSecretRef` is read from the Secret informer cache and stored
 * as an scrypt hash (re-used while the Secret's resourceVersion is unchanged, and re-used from
 * the store when it still verifies), so no plain text is written to etcd or sent to proxies.
 *
 * Reconciles on every informer event and every published snapshot, so an owned object deleted
 * through the admin API is put back (one replaced by `sockscale apply` loses the label: the CR
 * then reports Conflict). Status: recomputed after each reconcile and every `statusPollMs` (ACKs
 * arrive on gRPC streams); patched only when it differs from what the CR already says.
 *
 * SocksQuota usage: the ledger is read (one range read for all quotas) at most once per
 * `quotaStatusIntervalMs`, or at once for a quota of the published snapshot that has no usage
 * yet; an object's usage is patched only when a value changed and at most once per
 * `quotaStatusIntervalMs` (condition changes are written at once, with the latest usage).
 */
import { hashPassword, objectKey, parseScryptHash, validateObject, verifyScrypt, type Logger, type PolicyObject, type SocksQuotaSpec } from '@sockscale/common';
import type { AckTracker } from '../grpc';
import { quotasFromSnapshot, type AccountStatus, type QuotaLedger } from '../quota';
import type { PolicyPublisher } from '../snapshot';
import type { ObjectRef, PolicyStore, StoredObject } from '../store';
import { mergeConditions, programmedCondition, sameConditions, type Condition, type DesiredCondition } from './conditions';
import { hasUsage, quotaUsageStatus, sameUsage, USAGE_FIELDS, type QuotaUsageStatus } from './quota-status';
import type { CustomObjectsApi, Informer as KInformer, K8s, KubeConfig, KubernetesListObject, KubernetesObject } from './kube-client';

export const GROUP = 'sockscale.io';
export const VERSION = 'v1alpha1';
export const MANAGED_BY_LABEL = 'sockscale.io/managed-by';
export const MANAGED_BY_VALUE = 'kubernetes';
export const SOURCE_ANNOTATION = 'sockscale.io/source';
/** Back-off after a failed reconcile (store or API server away). */
const RETRY_MS = 1000;
/** Default bound on SocksQuota usage reads and writes (per object). */
export const DEFAULT_QUOTA_STATUS_INTERVAL_MS = 10_000;
const KINDS = [
  { kind: 'SocksPolicy', plural: 'sockspolicies' },
  { kind: 'SocksUser', plural: 'socksusers' },
  { kind: 'SocksQuota', plural: 'socksquotas' },
] as const;
const QUOTAS = 'socksquotas';

interface CustomResource {
  apiVersion?: string;
  kind?: string;
  metadata?: { name?: string; namespace?: string; uid?: string; generation?: number; creationTimestamp?: Date | string; resourceVersion?: string };
  spec?: unknown;
  status?: { conditions?: Condition[] } & Record<string, unknown>;
}
interface SecretLike {
  metadata?: { name?: string; namespace?: string; resourceVersion?: string };
  data?: Record<string, string>;
}
type Informer<T> = KInformer<T & KubernetesObject>;

export interface CrdControllerOptions {
  namespace: string | undefined;
  store: PolicyStore;
  tracker: AckTracker;
  publisher: PolicyPublisher;
  log: Logger;
  debounceMs?: number;
  statusPollMs?: number;
  /** The quota ledger SocksQuota usage is read from (none: no usage in status). */
  ledger?: QuotaLedger;
  /** At most one ledger read, and one usage write per object, per this many ms (default 10 s). */
  quotaStatusIntervalMs?: number;
}

interface Verdict {
  cr: CustomResource;
  plural: string;
  accepted: DesiredCondition;
  key: string | undefined;
  /** An accepted SocksQuota: its store name and validated spec. */
  quota?: { name: string; spec: SocksQuotaSpec };
}

/** What the controller last wrote to one CR (the informer cache may not show it yet). */
interface Written {
  conditions: string;
  usage?: string;
  usageAt?: number;
  /** After a failed write: not retried before this time. */
  retryAt?: number;
}
/** Back-off after a failed status write of one object (the API server refused it or is away). */
const STATUS_RETRY_MS = 5000;

export class CrdController {
  private readonly custom: CustomObjectsApi;
  private readonly informers: { plural: string; inf: Informer<CustomResource> }[] = [];
  private secrets: Informer<SecretLike> | undefined;
  private verdicts: Verdict[] = [];
  private readonly written = new Map<string, Written>();
  /** Quota name -> usage from the last ledger read (only quotas of the published snapshot). */
  private usage = new Map<string, QuotaUsageStatus>();
  private usageReadAt = 0;
  /** The published quotas at the last ledger read: a quota not among them is read at once. */
  private usageReadFor = new Set<string>();
  private readonly hashCache = new Map<string, { secretVersion: string; hash: string }>();
  private debounce: NodeJS.Timeout | undefined;
  private poll: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private closed = false;
  /** A new snapshot: the store changed (perhaps through the admin API): reconcile and refresh status. */
  private readonly onSnapshot = () => this.schedule();

  constructor(
    private readonly k8s: K8s,
    private readonly kc: KubeConfig,
    private readonly o: CrdControllerOptions,
  ) {
    this.custom = kc.makeApiClient(k8s.CustomObjectsApi);
  }

  async start(): Promise<void> {
    const ns = this.o.namespace;
    for (const { plural } of KINDS) {
      const path = ns === undefined ? `/apis/${GROUP}/${VERSION}/${plural}` : `/apis/${GROUP}/${VERSION}/namespaces/${ns}/${plural}`;
      const list = () =>
        (ns === undefined
          ? this.custom.listClusterCustomObject({ group: GROUP, version: VERSION, plural })
          : this.custom.listNamespacedCustomObject({ group: GROUP, version: VERSION, namespace: ns, plural })) as Promise<KubernetesListObject<CustomResource & KubernetesObject>>;
      this.informers.push({ plural, inf: this.watch(path, list) });
    }
    const core = this.kc.makeApiClient(this.k8s.CoreV1Api);
    this.secrets = this.watch<SecretLike>(ns === undefined ? '/api/v1/secrets' : `/api/v1/namespaces/${ns}/secrets`, () =>
      (ns === undefined ? core.listSecretForAllNamespaces() : core.listNamespacedSecret({ namespace: ns })),
    );
    await Promise.all([...this.informers.map((i) => i.inf.start()), this.secrets.start()]);
    this.o.publisher.on('snapshot', this.onSnapshot);
    this.poll = setInterval(() => this.scheduleStatus(), this.o.statusPollMs ?? 500);
    this.o.log.info({ namespace: ns ?? '(all)' }, 'controller started');
    this.schedule();
  }

  private watch<T>(path: string, list: () => Promise<KubernetesListObject<T & KubernetesObject>>): Informer<T> {
    const inf = this.k8s.makeInformer(this.kc, path, list);
    const changed = () => this.schedule();
    inf.on('add', changed);
    inf.on('update', changed);
    inf.on('delete', changed);
    inf.on('error', (err: unknown) => {
      if (this.closed) return;
      this.o.log.warn({ path, err: (err as Error)?.message ?? String(err) }, 'watch failed; restarting');
      setTimeout(() => {
        if (!this.closed) void inf.start().catch(() => undefined);
      }, 1000).unref();
    });
    return inf;
  }

  private schedule(delayMs = this.o.debounceMs ?? 20): void {
    if (this.closed) return;
    if (this.debounce !== undefined) clearTimeout(this.debounce);
    this.debounce = setTimeout(() => void this.run(true), delayMs);
  }

  private scheduleStatus(): void {
    if (!this.closed && this.running === undefined) void this.run(false);
  }

  /** One pass at a time; a change during a pass triggers another. */
  private async run(reconcile: boolean): Promise<void> {
    if (this.running !== undefined) {
      if (reconcile) this.again = true;
      return;
    }
    let failed = false;
    this.running = (async () => {
      try {
        if (reconcile) await this.reconcile();
        await this.writeStatus();
      } catch (err) {
        this.o.log.warn({ err: (err as Error).message, code: (err as { code?: unknown }).code, retryInMs: RETRY_MS }, 'reconcile failed; retrying');
        failed = true;
      }
    })();
    await this.running;
    this.running = undefined;
    if (failed) this.schedule(RETRY_MS);
    else if (this.again && !this.closed) {
      this.again = false;
      this.schedule();
    }
  }

  private async reconcile(): Promise<void> {
    const state = await this.o.store.read();
    const stored = new Map(state.objects.map((s) => [objectKey(s.object), s]));
    const secrets = new Map((this.secrets?.list() ?? []).map((s) => [`${s.metadata?.namespace ?? ''}/${s.metadata?.name ?? ''}`, s]));
    const crs = this.informers
      .flatMap(({ plural, inf }) => inf.list().map((cr) => ({ cr: cr, plural })))
      .sort((a, b) => created(a.cr) - created(b.cr) || source(a.cr).localeCompare(source(b.cr)));
    const desired = new Map<string, { object: PolicyObject; source: string }>();
    const verdicts: Verdict[] = [];
    for (const { cr, plural } of crs) {
      const gen = cr.metadata?.generation ?? 0;
      const verdict = (status: 'True' | 'False', reason: string, message: string, key?: string, quota?: Verdict['quota']) =>
        verdicts.push({ cr, plural, key, accepted: { type: 'Accepted', status, reason, message, observedGeneration: gen }, ...(quota === undefined ? {} : { quota }) });
      const src = source(cr);
      const input = {
        apiVersion: cr.apiVersion,
        kind: cr.kind,
        metadata: { name: cr.metadata?.name, labels: { [MANAGED_BY_LABEL]: MANAGED_BY_VALUE }, annotations: { [SOURCE_ANNOTATION]: src } },
        spec: cr.spec,
      };
      const r = validateObject(input, { allowSecretRefs: true });
      if (r.object === undefined) {
        verdict('False', 'Invalid', r.issues.map((i) => `${i.path}: ${i.message}`).join('; '));
        continue;
      }
      const key = objectKey(r.object);
      const other = desired.get(key);
      if (other !== undefined) {
        verdict('False', 'Conflict', `${key} is already defined by ${other.source}`);
        continue;
      }
      const existing = stored.get(key);
      if (existing !== undefined && existing.object.metadata.labels?.[MANAGED_BY_LABEL] !== MANAGED_BY_VALUE) {
        verdict('False', 'Conflict', `${key} was applied with "sockscale apply" (no ${MANAGED_BY_LABEL} label); the controller does not overwrite it: delete it there or rename this object`);
        continue;
      }
      let object = r.object;
      if (object.kind === 'SocksUser' && object.spec.passwordSecretRef !== undefined) {
        const ref = object.spec.passwordSecretRef;
        const ns = cr.metadata?.namespace ?? '';
        const secret = secrets.get(`${ns}/${ref.name}`);
        const b64 = secret?.data?.[ref.key];
        if (secret === undefined) {
          verdict('False', 'SecretNotFound', `Secret ${ns}/${ref.name} (passwordSecretRef) does not exist or cannot be read`);
          continue;
        }
        if (b64 === undefined || b64 === '') {
          verdict('False', 'SecretKeyNotFound', `Secret ${ns}/${ref.name} has no key "${ref.key}"`);
          continue;
        }
        const hash = await this.hashFor(`${ns}/${ref.name}/${ref.key}`, secret.metadata?.resourceVersion ?? '', Buffer.from(b64, 'base64').toString('utf8'), existing);
        const { passwordSecretRef: _ref, ...spec } = object.spec;
        object = { ...object, spec: { ...spec, password: { hash } } };
      }
      desired.set(key, { object, source: src });
      verdict('True', 'Accepted', 'valid; stored for the proxies', key, object.kind === 'SocksQuota' ? { name: object.metadata.name, spec: object.spec } : undefined);
    }
    const remove: ObjectRef[] = state.objects
      .filter((s) => s.object.metadata.labels?.[MANAGED_BY_LABEL] === MANAGED_BY_VALUE && !desired.has(objectKey(s.object)))
      .map((s) => ({ kind: s.object.kind, name: s.object.metadata.name }));
    if (desired.size > 0) {
      const res = await this.o.store.apply([...desired.values()].map((d) => d.object));
      const changed = res.results.filter((x) => x.outcome !== 'unchanged');
      if (changed.length > 0) this.o.log.info({ changed: changed.map((x) => `${x.kind}/${x.name} ${x.outcome}`), version: res.version }, 'applied from Kubernetes');
    }
    if (remove.length > 0) {
      const res = await this.o.store.delete(remove);
      this.o.log.info({ deleted: remove.map((x) => `${x.kind}/${x.name}`), version: res.version }, 'deleted (the CR is gone or invalid)');
    }
    this.verdicts = verdicts;
  }

  private async hashFor(cacheKey: string, secretVersion: string, password: string, existing: StoredObject | undefined): Promise<string> {
    const cached = this.hashCache.get(cacheKey);
    if (cached !== undefined && cached.secretVersion === secretVersion) return cached.hash;
    const old = existing?.object.kind === 'SocksUser' ? existing.object.spec.password.hash : undefined;
    const params = old === undefined ? undefined : parseScryptHash(old);
    const hash = old !== undefined && params !== undefined && typeof params !== 'string' && (await verifyScrypt(password, params)) ? old : await hashPassword(password);
    this.hashCache.set(cacheKey, { secretVersion, hash });
    return hash;
  }

  private async writeStatus(): Promise<void> {
    if (this.verdicts.length === 0) return;
    const state = await this.o.store.read();
    const revisions = new Map(state.objects.map((s) => [objectKey(s.object), s.modRevision]));
    const published = this.o.publisher.snapshot?.snapshot.version ?? 0;
    const proxies = this.o.tracker.list();
    const live = new Set(this.verdicts.map((v) => v.cr.metadata?.uid ?? source(v.cr)));
    for (const uid of this.written.keys()) if (!live.has(uid)) this.written.delete(uid);
    await this.refreshUsage();
    const interval = this.o.quotaStatusIntervalMs ?? DEFAULT_QUOTA_STATUS_INTERVAL_MS;
    const now = Date.now();
    for (const v of this.verdicts) {
      const current = this.currentOf(v);
      if (current === undefined) continue;
      const gen = current.metadata?.generation ?? 0;
      if (gen !== v.accepted.observedGeneration) continue; // a newer generation is being reconciled
      const revision = v.key === undefined ? undefined : revisions.get(v.key);
      const programmed: DesiredCondition =
        v.accepted.status !== 'True' || revision === undefined
          ? { type: 'Programmed', status: 'False', reason: 'Invalid', message: 'not accepted (see Accepted)', observedGeneration: gen }
          : programmedCondition(revision, published, proxies.map((p) => ({ connected: p.connected === true, ackedVersion: Number(p.ackedVersion ?? 0), nackedVersion: Number(p.nackedVersion ?? 0), nackError: p.nackError ?? '' })), gen);
      const desired = [v.accepted, programmed];
      const uid = current.metadata?.uid ?? source(current);
      const fingerprint = JSON.stringify(desired);
      const last = this.written.get(uid);
      if (last?.retryAt !== undefined && now < last.retryAt) continue;
      const conditionsDue = last?.conditions !== fingerprint && !sameConditions(current.status?.conditions, desired);
      // Usage (SocksQuota): a value changed, not what we wrote last, and the interval passed since our last usage write.
      const usage = v.plural === QUOTAS ? this.usageOf(v) : undefined;
      const usageKey = usage === null ? 'none' : usage === undefined ? undefined : JSON.stringify({ ...usage, observedAt: '' });
      const usageChanged = usage === null ? hasUsage(current.status) : usage !== undefined && !sameUsage(current.status, usage);
      const usageDue = usageChanged && usageKey !== last?.usage && (last?.usageAt === undefined || now - last.usageAt >= interval);
      if (!conditionsDue && !usageDue) {
        this.written.set(uid, { ...last, conditions: fingerprint });
        continue;
      }
      const conditions = mergeConditions(current.status?.conditions, desired, new Date());
      const status: Record<string, unknown> = { ...(current.status ?? {}), conditions };
      const writeUsage = usage !== undefined && (usageDue || (conditionsDue && usageChanged));
      if (writeUsage) {
        for (const f of USAGE_FIELDS) delete status[f];
        if (usage !== null) Object.assign(status, usage);
      }
      try {
        await this.custom.patchNamespacedCustomObjectStatus({
          group: GROUP,
          version: VERSION,
          namespace: current.metadata?.namespace ?? '',
          plural: v.plural,
          name: current.metadata?.name ?? '',
          body: [{ op: 'add', path: '/status', value: status }],
        });
        const w: Written = { conditions: fingerprint };
        if (writeUsage && usageKey !== undefined) Object.assign(w, { usage: usageKey, usageAt: now });
        else if (last?.usage !== undefined) Object.assign(w, { usage: last.usage, usageAt: last.usageAt });
        this.written.set(uid, w);
        this.o.log.debug(
          { object: source(current), conditions: desired.map((c) => `${c.type}=${c.status}/${c.reason}`), ...(writeUsage && usage ? { used: usage.used, remaining: usage.remaining } : {}) },
          'status written',
        );
      } catch (err) {
        // Retried after a back-off; the usage interval counts from this attempt.
        this.written.set(uid, { conditions: '', retryAt: now + STATUS_RETRY_MS, ...(writeUsage ? { usageAt: now } : last?.usageAt === undefined ? {} : { usageAt: last.usageAt }) });
        this.o.log.warn({ object: source(current), err: (err as Error).message, retryInMs: STATUS_RETRY_MS }, 'status write failed');
      }
    }
  }

  /**
   * SocksQuota usage for one verdict: the status to write, null when the quota has no byte
   * limit (or is not accepted: remove usage fields), undefined when not known yet.
   */
  private usageOf(v: Verdict): QuotaUsageStatus | null | undefined {
    if (v.quota === undefined) return v.accepted.status === 'True' ? undefined : null;
    if (v.quota.spec.bytes === undefined) return null;
    return this.usage.get(v.quota.name);
  }

  /**
   * Reads the ledger (one range read) when the interval has passed since the last read, or at
   * once when an accepted quota of the published snapshot has no usage yet. A failed read keeps
   * the previous values and is retried at the next interval.
   */
  private async refreshUsage(): Promise<void> {
    const ledger = this.o.ledger;
    const snap = this.o.publisher.snapshot?.snapshot;
    if (ledger === undefined || snap === undefined) return;
    const wanted = this.verdicts.filter((v) => v.quota?.spec.bytes !== undefined).map((v) => v.quota?.name ?? '');
    if (wanted.length === 0) return;
    const { quotas, members } = quotasFromSnapshot(snap);
    const interval = this.o.quotaStatusIntervalMs ?? DEFAULT_QUOTA_STATUS_INTERVAL_MS;
    const now = Date.now();
    const missing = wanted.some((q) => quotas.has(q) && !this.usageReadFor.has(q));
    if (!missing && now - this.usageReadAt < interval) return;
    this.usageReadAt = now;
    this.usageReadFor = new Set(quotas.keys());
    let accounts: AccountStatus[];
    try {
      accounts = await ledger.status({}, members);
    } catch (err) {
      this.o.log.warn({ err: (err as Error).message, retryInMs: interval }, 'quota ledger read failed; SocksQuota usage not updated');
      return;
    }
    const byQuota = new Map<string, AccountStatus[]>();
    for (const a of accounts) byQuota.set(a.quota, [...(byQuota.get(a.quota) ?? []), a]);
    const usage = new Map<string, QuotaUsageStatus>();
    for (const name of wanted) {
      const q = quotas.get(name);
      if (q === undefined) continue; // not published yet
      const u = quotaUsageStatus(q.spec, byQuota.get(name) ?? [], now);
      if (u !== undefined) usage.set(name, u);
    }
    this.usage = usage;
  }

  private currentOf(v: Verdict): CustomResource | undefined {
    const inf = this.informers.find((i) => i.plural === v.plural)?.inf;
    const name = v.cr.metadata?.name;
    if (inf === undefined || name === undefined) return undefined;
    return inf.get(name, v.cr.metadata?.namespace);
  }

  close(): void {
    this.closed = true;
    if (this.debounce !== undefined) clearTimeout(this.debounce);
    if (this.poll !== undefined) clearInterval(this.poll);
    this.o.publisher.off('snapshot', this.onSnapshot);
    for (const { inf } of this.informers) void inf.stop();
    void this.secrets?.stop();
  }
}

function source(cr: CustomResource): string {
  return `${cr.metadata?.namespace ?? ''}/${cr.metadata?.name ?? ''}`;
}
function created(cr: CustomResource): number {
  const t = cr.metadata?.creationTimestamp;
  return t === undefined ? 0 : new Date(t).getTime();
}
