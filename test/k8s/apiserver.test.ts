import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { CHART_DIR, helm, KubeCluster } from './kube-tools';
import { CORPUS } from './corpus';

/**
 * The chart and the CRDs against a real kube-apiserver (with etcd) on loopback. Only the API
 * server runs: no scheduler, controller manager or kubelet, so every object is created and
 * validated but no pod ever starts (Deployments get no ReplicaSets, pods would stay Pending).
 * Needs helm, kube-apiserver and kubectl from scripts/install-test-tools.sh: missing ones fail.
 */
const NS = 'socks';
const RELEASE = 'rel';
let cluster: KubeCluster | undefined;
let installOutput = '';

function k(): KubeCluster {
  assert.ok(cluster !== undefined, 'the API server started');
  return cluster;
}
function ok(r: { status: number | null; stdout: string; stderr: string }, what: string): string {
  assert.equal(r.status, 0, `${what} failed:\n${r.stdout}\n${r.stderr}${cluster === undefined ? '' : `\n${cluster.logs()}`}`);
  return r.stdout;
}

// The other tests build on the installed release, so the install happens here.
before(async () => {
  cluster = await KubeCluster.start();
  ok(k().kubectl(['create', 'namespace', NS]), 'create namespace');
  installOutput = ok(k().helm(['install', RELEASE, CHART_DIR, '--namespace', NS], { timeoutMs: 120_000 }), 'helm install');
});
after(async () => {
  await cluster?.stop();
});

void test('helm install: the API server accepts every object of the default chart', () => {
  assert.match(ok(k().helm(['status', RELEASE, '--namespace', NS]), 'helm status'), /STATUS: deployed/);
  // NOTES.txt: how to connect and apply a first policy.
  assert.match(installOutput, /kubectl -n socks create secret generic alice-password/);
  assert.match(installOutput, /passwordSecretRef: \{name: alice-password, key: password\}/);
  assert.match(installOutput, /kubectl -n socks port-forward svc\/rel-sockscale-proxy 1080:1080/);
  assert.match(installOutput, /curl --socks5-hostname alice:change-me@127\.0\.0\.1:1080/);
  // The first policy NOTES suggests is accepted as printed.
  const m = /<<'YAML'\n([\s\S]*?)\n\s*YAML\n/.exec(installOutput);
  assert.ok(m?.[1] !== undefined, 'NOTES carries a here-document with the first objects');
  const firstObjects = m[1].replace(/^ {3}/gm, '');
  ok(k().kubectl(['apply', '-n', NS, '-f', '-'], { input: firstObjects }), 'apply the objects from NOTES');
  ok(k().kubectl(['get', '-n', NS, 'socksuser/alice', 'sockspolicy/staff-web']), 'get them');
  // The optional quota of step 4 is accepted as printed too.
  const docs = [...installOutput.matchAll(/<<'YAML'\n([\s\S]*?)\n\s*YAML\n/g)].map((d) => (d[1] ?? '').replace(/^ {3}/gm, ''));
  assert.equal(docs.length, 2, 'NOTES carries the first objects and a quota');
  ok(k().kubectl(['apply', '-n', NS, '-f', '-'], { input: docs[1] }), 'apply the quota from NOTES');
  ok(k().kubectl(['get', '-n', NS, 'socksquota/staff-monthly']), 'get it');
  const names = ok(k().kubectl(['get', '-n', NS, 'deployments,statefulsets,services,horizontalpodautoscalers,poddisruptionbudgets,serviceaccounts,roles,rolebindings,secrets', '-o', 'name']), 'kubectl get');
  for (const want of [
    'deployment.apps/rel-sockscale-control',
    'deployment.apps/rel-sockscale-proxy',
    'statefulset.apps/rel-sockscale-etcd',
    'service/rel-sockscale-proxy',
    'service/rel-sockscale-proxy-udp',
    'service/rel-sockscale-control',
    'horizontalpodautoscaler.autoscaling/rel-sockscale-proxy',
    'poddisruptionbudget.policy/rel-sockscale-proxy',
    'role.rbac.authorization.k8s.io/rel-sockscale-control',
    'secret/rel-sockscale-control-admin-token',
  ]) {
    assert.ok(names.split('\n').includes(want), `${want} exists; have:\n${names}`);
  }
  ok(k().kubectl(['get', 'crd', 'sockspolicies.sockscale.io', 'socksusers.sockscale.io']), 'CRDs exist');
  // No kubelet or controller manager: the Deployments exist, but no pod was ever created.
  assert.equal(ok(k().kubectl(['get', 'pods', '-n', NS, '-o', 'name']), 'get pods').trim(), '');
});

void test('RBAC: the control plane may read CRDs and Secrets and write only status; proxies may do nothing', () => {
  const can = (sa: string, args: string[]) => {
    const r = k().kubectl(['auth', 'can-i', ...args, '-n', NS, `--as=system:serviceaccount:${NS}:${sa}`]);
    return r.stdout.trim();
  };
  const control = 'rel-sockscale-control';
  const expectations: [string, string[], string][] = [
    [control, ['list', 'sockspolicies.sockscale.io'], 'yes'],
    [control, ['watch', 'socksusers.sockscale.io'], 'yes'],
    [control, ['update', 'sockspolicies.sockscale.io', '--subresource=status'], 'yes'],
    [control, ['update', 'sockspolicies.sockscale.io'], 'no'],
    [control, ['watch', 'socksquotas.sockscale.io'], 'yes'],
    [control, ['patch', 'socksquotas.sockscale.io', '--subresource=status'], 'yes'],
    [control, ['update', 'socksquotas.sockscale.io'], 'no'],
    [control, ['delete', 'socksusers.sockscale.io'], 'no'],
    [control, ['get', 'secrets'], 'yes'],
    [control, ['create', 'secrets'], 'no'],
    [control, ['create', 'pods'], 'no'],
    [control, ['update', 'leases.coordination.k8s.io/rel-sockscale-control-leader'], 'yes'],
    [control, ['update', 'leases.coordination.k8s.io/someone-else'], 'no'],
    ['rel-sockscale-proxy', ['get', 'secrets'], 'no'],
    ['rel-sockscale-proxy', ['list', 'sockspolicies.sockscale.io'], 'no'],
  ];
  const wrong = expectations.filter(([sa, args, want]) => can(sa, args) !== want).map(([sa, args, want]) => `${sa} ${args.join(' ')}: want ${want}`);
  assert.deepEqual(wrong, []);
  const other = k().kubectl(['auth', 'can-i', 'list', 'sockspolicies.sockscale.io', '-n', 'kube-system', `--as=system:serviceaccount:${NS}:${control}`]);
  assert.equal(other.stdout.trim(), 'no', 'namespaced by default: nothing outside the release namespace');
});

void test('corpus: kubectl apply accepts exactly the objects the TypeScript validator accepts, and says why not', () => {
  const wrong: string[] = [];
  for (const c of CORPUS) {
    const r = k().kubectl(['apply', '-n', NS, '-f', '-'], { input: JSON.stringify(c.object) });
    const accepted = r.status === 0;
    if (accepted !== c.valid) wrong.push(`${c.name}: the API server ${accepted ? 'accepted' : `refused (${r.stderr.trim()})`}, the TypeScript validator ${c.valid ? 'accepts' : 'refuses'}`);
    else if (!c.valid && c.k8s !== undefined && !r.stderr.includes(c.k8s)) wrong.push(`${c.name}: message does not mention ${JSON.stringify(c.k8s)}: ${r.stderr.trim()}`);
  }
  assert.deepEqual(wrong, []);
});

void test('printer columns, short names and the status subresource with conditions', () => {
  const policy = { apiVersion: 'sockscale.io/v1alpha1', kind: 'SocksPolicy', metadata: { name: 'columns' }, spec: { priority: 42, subjects: { groups: ['staff'] }, rules: [{ action: 'Allow' }] } };
  ok(k().kubectl(['apply', '-n', NS, '-f', '-'], { input: JSON.stringify(policy) }), 'apply');
  const stored = JSON.parse(ok(k().kubectl(['get', '-n', NS, 'spol', 'columns', '-o', 'json']), 'get -o json')) as { spec: { rules: { commands: string[] }[]; subjects: { anonymous: boolean } }; metadata: { generation: number } };
  assert.deepEqual(stored.spec.rules[0]?.commands, ['Connect', 'Bind', 'UdpAssociate'], 'the API server applies the schema defaults');
  assert.equal(stored.spec.subjects.anonymous, false);
  const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  const status = { status: { conditions: [{ type: 'Accepted', status: 'True', reason: 'Accepted', message: 'valid', observedGeneration: stored.metadata.generation, lastTransitionTime: now }] } };
  ok(k().kubectl(['patch', '-n', NS, 'sockspolicy', 'columns', '--subresource=status', '--type=merge', '-p', JSON.stringify(status)]), 'patch status');
  const table = ok(k().kubectl(['get', '-n', NS, 'spol', 'columns']), 'get');
  assert.match(table, /^NAME\s+PRIORITY\s+ACCEPTED\s+PROGRAMMED\s+AGE/m);
  assert.match(table, /^columns\s+42\s+True\s+/m);
  const bad = { status: { conditions: [{ type: 'Accepted', status: 'Maybe', reason: 'Accepted', message: '', lastTransitionTime: now }] } };
  const r = k().kubectl(['patch', '-n', NS, 'sockspolicy', 'columns', '--subresource=status', '--type=merge', '-p', JSON.stringify(bad)]);
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /status\.conditions\[0\]\.status/);
  // Users cannot write status through the main resource: the status stanza is dropped.
  ok(k().kubectl(['apply', '-n', NS, '-f', '-'], { input: JSON.stringify({ ...policy, status: bad.status }) }), 'apply with status');
  assert.match(ok(k().kubectl(['get', '-n', NS, 'spol', 'columns']), 'get'), /^columns\s+42\s+True\s+/m);
  const users = ok(k().kubectl(['get', '-n', NS, 'suser']), 'get suser');
  assert.match(users, /^NAME\s+GROUPS\s+DISABLED\s+SECRET\s+ACCEPTED\s+PROGRAMMED\s+AGE/m);
  const quotas = ok(k().kubectl(['get', '-n', NS, 'squota']), 'get squota');
  assert.match(quotas, /^NAME\s+USER\s+GROUP\s+LIMIT\s+USED\s+REMAINING\s+RESETS\s+ACCEPTED\s+PROGRAMMED\s+AGE/m);
});

void test('server-side dry-run: the other values files render objects the API server accepts', () => {
  const files: [string, string[]][] = [
    ['external etcd', ['-f', join(CHART_DIR, 'ci', 'external-etcd-values.yaml')]],
    ['per-pod UDP', ['-f', join(CHART_DIR, 'ci', 'per-pod-udp-values.yaml')]],
    // No Prometheus Operator CRDs in this API server: everything but the ServiceMonitors.
    ['monitoring', ['-f', join(CHART_DIR, 'ci', 'monitoring-values.yaml'), '--set', 'metrics.serviceMonitor.enabled=false']],
  ];
  for (const [what, args] of files) {
    const rendered = ok(helm(['template', 'dry', CHART_DIR, '--namespace', NS, '--set', 'crds.install=false', ...args]), `helm template ${what}`);
    ok(k().kubectl(['apply', '--dry-run=server', '-n', NS, '-f', '-'], { input: rendered, timeoutMs: 60_000 }), `dry-run ${what}`);
  }
});

void test('helm upgrade keeps the generated admin token; helm uninstall keeps the CRDs and the policies', () => {
  const token = () => ok(k().kubectl(['get', 'secret', '-n', NS, 'rel-sockscale-control-admin-token', '-o', 'jsonpath={.data.token}']), 'get token');
  const before = token();
  assert.ok(before.length > 20);
  ok(k().helm(['upgrade', RELEASE, CHART_DIR, '--namespace', NS, '--set', 'proxy.logLevel=debug'], { timeoutMs: 120_000 }), 'helm upgrade');
  assert.equal(token(), before);
  ok(k().helm(['uninstall', RELEASE, '--namespace', NS], { timeoutMs: 120_000 }), 'helm uninstall');
  assert.equal(k().kubectl(['get', 'deployment', '-n', NS, 'rel-sockscale-proxy']).status, 1, 'the Deployment is gone');
  ok(k().kubectl(['get', 'crd', 'sockspolicies.sockscale.io', 'socksusers.sockscale.io']), 'the CRDs stay (crds.keep)');
  ok(k().kubectl(['get', '-n', NS, 'sockspolicy', 'columns']), 'and so do the policies');
});
