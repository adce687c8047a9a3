/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-call --
   rendered manifests are untyped YAML; the assertions themselves check their shape. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { CHART_DIR, FIXTURES, helm } from './kube-tools';

/** `helm lint` and `helm template` over the chart's values files (no cluster needed). */

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Obj = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string; annotations?: Record<string, string> }; spec?: any; data?: Record<string, string>; rules?: any[] };

const SM_API = ['--api-versions', 'monitoring.coreos.com/v1/ServiceMonitor'];
const CI = (f: string) => join(CHART_DIR, 'ci', f);

function render(args: string[] = []): Obj[] {
  const r = helm(['template', 'rel', CHART_DIR, '--namespace', 'socks', ...args]);
  assert.equal(r.status, 0, `helm template ${args.join(' ')} failed:\n${r.stderr}`);
  return parseAllDocuments(r.stdout)
    .map((d) => d.toJS() as Obj | null)
    .filter((o): o is Obj => o !== null);
}
const byKind = (objs: Obj[], kind: string) => objs.filter((o) => o.kind === kind);
const one = (objs: Obj[], kind: string, name: string): Obj => {
  const o = objs.find((x) => x.kind === kind && x.metadata.name === name);
  assert.ok(o !== undefined, `${kind}/${name} is rendered (have: ${objs.map((x) => `${x.kind}/${x.metadata.name}`).join(', ')})`);
  return o;
};

void test('helm lint: defaults and every ci/ values file', () => {
  for (const args of [[], ['-f', CI('external-etcd-values.yaml')], ['-f', CI('per-pod-udp-values.yaml')], ['-f', CI('monitoring-values.yaml'), '--set', 'metrics.serviceMonitor.enabled=false']]) {
    const r = helm(['lint', '--strict', CHART_DIR, ...args]);
    assert.equal(r.status, 0, `helm lint ${args.join(' ')}:\n${r.stdout}\n${r.stderr}`);
  }
});

void test('helm template defaults: components, replicas, restrictive pods, probes, drain', () => {
  const objs = render();
  const kinds = objs.map((o) => o.kind).sort();
  for (const k of ['CustomResourceDefinition', 'Deployment', 'StatefulSet', 'Service', 'HorizontalPodAutoscaler', 'PodDisruptionBudget', 'Role', 'RoleBinding', 'ServiceAccount', 'Secret']) {
    assert.ok(kinds.includes(k), `renders a ${k}`);
  }
  assert.deepEqual(byKind(objs, 'CustomResourceDefinition').map((o) => o.metadata.name).sort(), ['sockspolicies.sockscale.io', 'socksquotas.sockscale.io', 'socksusers.sockscale.io']);
  const control = one(objs, 'Deployment', 'rel-sockscale-control');
  const proxy = one(objs, 'Deployment', 'rel-sockscale-proxy');
  const etcd = one(objs, 'StatefulSet', 'rel-sockscale-etcd');
  assert.equal(control.spec.replicas, 2);
  assert.equal(etcd.spec.replicas, 3);
  assert.equal(proxy.spec.replicas, undefined, 'the HPA owns the proxy replica count');
  for (const w of [control, proxy, etcd]) {
    const pod = w.spec.template.spec;
    assert.equal(pod.securityContext.runAsNonRoot, true, w.metadata.name);
    assert.equal(pod.securityContext.seccompProfile.type, 'RuntimeDefault', w.metadata.name);
    for (const c of pod.containers) {
      assert.equal(c.securityContext.readOnlyRootFilesystem, true, `${w.metadata.name}/${c.name}`);
      assert.equal(c.securityContext.allowPrivilegeEscalation, false);
      assert.deepEqual(c.securityContext.capabilities.drop, ['ALL']);
      assert.ok(c.readinessProbe && c.livenessProbe, `${c.name} has probes`);
    }
  }
  for (const w of [control, proxy]) {
    const c = w.spec.template.spec.containers[0];
    assert.equal(c.livenessProbe.httpGet.path, '/healthz');
    assert.equal(c.readinessProbe.httpGet.path, '/readyz');
    assert.ok(c.lifecycle.preStop.sleep.seconds > 0, 'preStop pause before the drain');
  }
  const pc = proxy.spec.template.spec.containers[0];
  assert.deepEqual(pc.args.slice(0, 2), ['serve', '--control-plane=rel-sockscale-control.socks.svc.cluster.local:9090']);
  assert.ok(pc.args.includes('--drain-timeout=30s'));
  assert.equal(proxy.spec.template.spec.terminationGracePeriodSeconds, 45, 'preStop 5 s + drain 30 s + 10 s');
  assert.equal(proxy.spec.template.spec.automountServiceAccountToken, false, 'proxies get no API token');
  assert.ok(pc.args.includes('--node-id=$(SOCKSCALE_POD_NAME)'), 'proxies report their pod name');
  assert.equal(pc.env.find((e: { name: string }) => e.name === 'SOCKSCALE_POD_NAME').valueFrom.fieldRef.fieldPath, 'metadata.name');
  const cc = control.spec.template.spec.containers[0];
  assert.equal(cc.args[0], 'control');
  // The admin token reaches the control plane as a file from the Secret, never in env or args.
  assert.ok(cc.args.includes('--admin-token-file=/etc/sockscale/admin/token'));
  assert.ok(cc.args.includes('--in-cluster'), 'the control plane runs the Kubernetes controller with its service account');
  assert.ok(cc.args.includes('--quota-status-interval=10s'), 'SocksQuota status bound from controlPlane.quotaStatusInterval');
  assert.ok(cc.volumeMounts.some((m: { name: string; mountPath: string }) => m.name === 'admin-token' && m.mountPath === '/etc/sockscale/admin'));
  assert.equal(control.spec.template.spec.volumes.find((v: { name: string }) => v.name === 'admin-token').secret.secretName, 'rel-sockscale-control-admin-token');
  assert.ok(!JSON.stringify(cc.env ?? []).includes('admin-token'));
  assert.ok(!cc.args.some((a: string) => a.startsWith('--tls')), 'no TLS by default');
  assert.ok(cc.args.includes('--etcd=http://rel-sockscale-etcd-0.rel-sockscale-etcd-headless.socks.svc.cluster.local:2379,http://rel-sockscale-etcd-1.rel-sockscale-etcd-headless.socks.svc.cluster.local:2379,http://rel-sockscale-etcd-2.rel-sockscale-etcd-headless.socks.svc.cluster.local:2379'));
  const udp = one(objs, 'Service', 'rel-sockscale-proxy-udp');
  assert.equal(udp.spec.ports[0].protocol, 'UDP');
  assert.equal(udp.spec.externalTrafficPolicy, 'Local', 'client addresses survive for the relay check');
  const hpa = one(objs, 'HorizontalPodAutoscaler', 'rel-sockscale-proxy');
  assert.deepEqual(hpa.spec.metrics.map((m: { type: string }) => m.type), ['Resource']);
  assert.equal(byKind(objs, 'PodDisruptionBudget').length, 3);
  for (const crd of byKind(objs, 'CustomResourceDefinition')) assert.equal(crd.metadata.annotations?.['helm.sh/resource-policy'], 'keep');
});

void test('helm template defaults: RBAC is least privilege', () => {
  const objs = render();
  assert.equal(byKind(objs, 'ClusterRole').length, 0, 'namespaced by default');
  const role = one(objs, 'Role', 'rel-sockscale-control');
  const rules = role.rules as { apiGroups: string[]; resources: string[]; verbs: string[]; resourceNames?: string[] }[];
  for (const r of rules) {
    assert.ok(!r.verbs.includes('*') && !r.resources.includes('*') && !r.apiGroups.includes('*'), 'no wildcards');
    assert.ok(!r.verbs.some((v) => ['delete', 'deletecollection', 'escalate', 'bind', 'impersonate'].includes(v)), JSON.stringify(r));
  }
  const crdRule = rules.find((r) => r.resources.includes('sockspolicies'));
  assert.deepEqual(crdRule?.verbs, ['get', 'list', 'watch'], 'CRDs are read-only; status is the only write');
  assert.deepEqual(rules.find((r) => r.resources.includes('sockspolicies/status'))?.verbs, ['get', 'update', 'patch']);
  assert.deepEqual(rules.find((r) => r.resources.includes('secrets'))?.verbs, ['get', 'list', 'watch']);
  const lease = one(objs, 'Role', 'rel-sockscale-control-leader-election').rules as { verbs: string[]; resourceNames?: string[] }[];
  assert.deepEqual(lease.find((r) => r.resourceNames !== undefined)?.resourceNames, ['rel-sockscale-control-leader']);
});

void test('helm template external etcd: no StatefulSet, endpoints and TLS passed, cluster-wide watch', () => {
  const objs = render(['-f', CI('external-etcd-values.yaml')]);
  assert.equal(byKind(objs, 'StatefulSet').length, 0);
  const cc = one(objs, 'Deployment', 'rel-sockscale-control').spec.template.spec;
  assert.ok(cc.containers[0].args.includes('--etcd=https://etcd-a.example.internal:2379,https://etcd-b.example.internal:2379'));
  assert.ok(cc.volumes.some((v: { secret?: { secretName: string } }) => v.secret?.secretName === 'etcd-client-tls'));
  assert.equal(byKind(objs, 'Secret').length, 0, 'an existing admin-token Secret is used');
  assert.equal(cc.volumes.find((v: { name: string }) => v.name === 'admin-token').secret.secretName, 'my-admin-token');
  // mTLS: the control plane serves with its certificate and asks for client certificates; proxies present theirs.
  for (const a of ['--tls-cert=/etc/sockscale/tls/tls.crt', '--tls-key=/etc/sockscale/tls/tls.key', '--tls-client-ca=/etc/sockscale/tls/ca.crt']) assert.ok(cc.containers[0].args.includes(a), a);
  assert.equal(cc.volumes.find((v: { name: string }) => v.name === 'tls').secret.secretName, 'sockscale-control-tls');
  const pp = one(objs, 'Deployment', 'rel-sockscale-proxy').spec.template.spec;
  for (const a of ['--control-plane-ca=/etc/sockscale/tls/ca.crt', '--control-plane-cert=/etc/sockscale/tls/tls.crt', '--control-plane-key=/etc/sockscale/tls/tls.key']) assert.ok(pp.containers[0].args.includes(a), a);
  assert.equal(pp.volumes.find((v: { name: string }) => v.name === 'tls').secret.secretName, 'sockscale-proxy-tls');
  assert.equal(one(objs, 'ClusterRole', 'socks-rel-sockscale-control').kind, 'ClusterRole');
  one(objs, 'ClusterRoleBinding', 'socks-rel-sockscale-control');
});

void test('helm template per-pod UDP: hostPort, node-IP advertising, no shared UDP Service', () => {
  const objs = render(['-f', CI('per-pod-udp-values.yaml')]);
  assert.equal(objs.filter((o) => o.kind === 'Service' && o.metadata.name.endsWith('-udp')).length, 0);
  const proxy = one(objs, 'Deployment', 'rel-sockscale-proxy');
  assert.equal(proxy.spec.replicas, 3);
  const c = proxy.spec.template.spec.containers[0];
  assert.deepEqual(c.ports.find((p: { name: string }) => p.name === 'socks-udp'), { name: 'socks-udp', containerPort: 1081, hostPort: 1081, protocol: 'UDP' });
  assert.equal(c.env.find((e: { name: string }) => e.name === 'SOCKSCALE_UDP_ADVERTISE_HOST').valueFrom.fieldRef.fieldPath, 'status.hostIP');
  assert.equal(byKind(objs, 'HorizontalPodAutoscaler').length, 0);
  assert.equal(one(objs, 'Service', 'rel-sockscale-proxy').spec.type, 'LoadBalancer');
});

void test('helm template monitoring on: ServiceMonitors, dashboard ConfigMap, NetworkPolicies, sessions HPA', () => {
  const objs = render(['-f', CI('monitoring-values.yaml'), ...SM_API]);
  assert.equal(byKind(objs, 'ServiceMonitor').length, 2);
  assert.equal(byKind(objs, 'NetworkPolicy').length, 3);
  const cm = one(objs, 'ConfigMap', 'rel-sockscale-dashboard');
  assert.deepEqual(JSON.parse(cm.data?.['sockscale.json'] ?? ''), JSON.parse(readFileSync(join(CHART_DIR, 'files', 'grafana-dashboard.json'), 'utf8')));
  const hpa = one(objs, 'HorizontalPodAutoscaler', 'rel-sockscale-proxy');
  assert.equal(hpa.spec.metrics[1].pods.metric.name, 'sockscale_sessions_active');
  const etcdNp = one(objs, 'NetworkPolicy', 'rel-sockscale-etcd');
  assert.deepEqual(etcdNp.spec.ingress[0].from[0].podSelector.matchLabels['app.kubernetes.io/component'], 'control-plane');
});

void test('helm template refuses bad values with a message naming the key', () => {
  const cases: [string[], RegExp][] = [
    [['-f', join(FIXTURES, 'bad-typo-top-level.yaml')], /additional properties 'proxi' not allowed/],
    [['-f', join(FIXTURES, 'bad-typo-nested.yaml')], /at '\/proxy\/autoscaling': additional properties 'maxReplica' not allowed/],
    [['-f', join(FIXTURES, 'bad-wrong-type.yaml')], /\/controlPlane\/replicas': got string, want integer/],
    [['-f', join(FIXTURES, 'bad-enum.yaml')], /\/proxy\/udp\/mode': value must be one of 'shared', 'perPod', 'disabled'/],
    [['-f', join(FIXTURES, 'bad-no-etcd.yaml')], /\/etcd\/external\/endpoints': minItems: got 0, want 1/],
    [['-f', CI('monitoring-values.yaml')], /metrics\.serviceMonitor\.enabled needs the Prometheus Operator CRDs/],
    [['--set', 'proxy.drainTimeout=30'], /\/proxy\/drainTimeout': .*(does not match pattern|got number)/],
    [['--set', 'controlPlane.quotaStatusInterval=10 s'], /\/controlPlane\/quotaStatusInterval': .*does not match pattern/],
    [['--set', 'tls.enabled=true'], /tls\.enabled needs tls\.controlPlaneSecret and tls\.proxySecret/],
  ];
  for (const [args, want] of cases) {
    const r = helm(['template', 'rel', CHART_DIR, ...args]);
    assert.notEqual(r.status, 0, `should fail: ${args.join(' ')}`);
    assert.match(r.stderr, want, args.join(' '));
  }
});
