import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '@sockscale/common';
import { parseClientConfig } from './client-config';
import { parseControlConfig } from './control-config';
import { parseDiscoveryConfig } from './discovery-config';
import { parseServeConfig } from './serve-config';

const dir = mkdtempSync(join(tmpdir(), 'sockscale-cfg-'));
const token = join(dir, 'token');
writeFileSync(token, 'abcdefghijklmnopqrstuvwxyz\n');
const short = join(dir, 'short');
writeFileSync(short, 'abc\n');

function issues(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof ConfigError);
    return err.issues.map((i) => `${i.path}: ${i.message}`);
  }
  assert.fail('expected ConfigError');
}

test('control: etcd endpoints, defaults, flags over environment', () => {
  const c = parseControlConfig(['--etcd', 'http://127.0.0.1:2379,http://[::1]:2379', '--admin-token-file', token], { SOCKSCALE_GRPC: '0.0.0.0:9999', SOCKSCALE_HOLD_OFF: '5ms' }, false);
  assert.deepEqual(c.store, { kind: 'etcd', endpoints: ['http://127.0.0.1:2379', 'http://[::1]:2379'] });
  assert.equal(c.grpc, '0.0.0.0:9999');
  assert.deepEqual(c.admin, { host: '127.0.0.1', port: 9091 });
  assert.equal(c.adminToken, 'abcdefghijklmnopqrstuvwxyz');
  assert.equal(c.holdOffMs, 5);
  assert.equal(c.maxDelayMs, 200);
  assert.deepEqual(parseControlConfig(['--store', 'file:/x/state.json', '--grpc', '[::1]:0'], {}, false).store, { kind: 'file', path: '/x/state.json' });
  assert.equal(parseControlConfig(['--store', 'memory', '--grpc', '[::1]:0'], {}, false).grpc, '[::1]:0');
  assert.equal(parseControlConfig(['--store', 'memory'], {}, false).adminToken, undefined);
});

test('control: every problem at once', () => {
  const got = issues(() =>
    parseControlConfig(['--etcd', 'http://a', '--store', 'disk', '--admin-token-file', short, '--tls-cert', token, '--hold-off', '1s', '--max-delay', '10ms', '--log-level', 'loud'], {}, false),
  );
  assert.deepEqual(got, [
    '--etcd: "http://a" has no port (etcd listens on 2379 by default)',
    '--store: "disk" is not "memory" or "file:PATH"',
    `--admin-token-file: ${short}: the token must be at least 16 characters`,
    '--tls-cert: --tls-cert and --tls-key go together',
    '--max-delay: must be at least --hold-off (1000 ms)',
    '--log-level: "loud" is not one of trace, debug, info, warn, error, fatal, silent',
  ]);
  assert.deepEqual(issues(() => parseControlConfig(['--etcd', 'http://a:1', '--store', 'memory'], {}, false)), ['--store: give either --etcd or --store, not both']);
});

test('client: server, token sources, files, output', () => {
  const c = parseClientConfig(['apply', '-f', 'a.yaml', '-f', 'dir', '--dry-run'], { SOCKSCALE_SERVER: '10.0.0.1:9090', SOCKSCALE_TOKEN_FILE: token });
  assert.equal(c.server, '10.0.0.1:9090');
  assert.equal(c.token, 'abcdefghijklmnopqrstuvwxyz');
  assert.deepEqual(c.files, ['a.yaml', 'dir']);
  assert.equal(c.dryRun, true);
  assert.deepEqual(c.args, ['apply']);
  assert.equal(parseClientConfig(['-o', 'json'], { SOCKSCALE_TOKEN: 't' }).output, 'json');
  assert.deepEqual(issues(() => parseClientConfig(['--token', 'x', '--token-file', token, '-o', 'xml', '--tls-cert', 'c', '--timeout', '0'], {})), [
    '--token: give --token or --token-file, not both',
    '--tls-cert: --tls-cert and --tls-key go together',
    '--tls-ca: a client certificate needs --tls-ca too',
    '--timeout: must be positive',
    '--output: "xml" is not one of table, json, yaml',
  ]);
});

test('serve: --control-plane replaces --policy; discovery options parsed, defaults sane', () => {
  const c = parseServeConfig(['--control-plane', '127.0.0.1:9090,[::1]:9092', '--node-id', 'pod-a'], {}, false);
  assert.deepEqual(c.policyPaths, []);
  assert.deepEqual(c.controlPlane?.addresses, ['127.0.0.1:9090', '[::1]:9092']);
  assert.equal(c.controlPlane?.initialPolicy, 'wait');
  assert.equal(c.controlPlane?.initialPolicyTimeoutMs, 30_000);
  assert.equal(c.controlPlane?.maxPolicyRules, 100_000);
  assert.equal(c.controlPlane?.nodeId, 'pod-a');
  assert.equal(parseServeConfig(['--policy', 'x.yaml'], {}, false).controlPlane, undefined);
  assert.equal(parseDiscoveryConfig([], { SOCKSCALE_CONTROL_PLANE: 'a:1', SOCKSCALE_INITIAL_POLICY: 'deny-all' }).config?.initialPolicy, 'deny-all');
  assert.deepEqual(issues(() => parseServeConfig(['--control-plane', 'a:1', '--control-plane-cert', 'c', '--control-plane-key', 'k'], {}, false)), [
    '--control-plane-ca: a client certificate needs --control-plane-ca too',
  ]);
});

test('control: --kubeconfig / --in-cluster enable the Kubernetes controller; namespace and Lease from flags or the chart env', () => {
  const kc = join(mkdtempSync(join(tmpdir(), 'kc-')), 'kubeconfig');
  writeFileSync(kc, 'apiVersion: v1\n');
  const c = parseControlConfig(['--store', 'memory', '--kubeconfig', kc, '--namespace', 'socks'], {}, false);
  assert.deepEqual(c.kube?.access, { kind: 'kubeconfig', path: kc });
  assert.equal(c.kube?.namespace, 'socks');
  assert.equal(c.kube?.leaseNamespace, 'socks');
  assert.equal(c.kube?.leaseName, 'sockscale-control-leader');
  assert.equal(parseControlConfig(['--store', 'memory'], {}, false).kube, undefined);
  const env = { SOCKSCALE_K8S_IN_CLUSTER: 'true', SOCKSCALE_POD_NAME: 'control-0', SOCKSCALE_POD_NAMESPACE: 'sys', SOCKSCALE_K8S_LEASE_NAME: 'rel-leader', SOCKSCALE_K8S_WATCH_NAMESPACE: '' };
  const ic = parseControlConfig(['--store', 'memory'], env, false);
  assert.deepEqual(ic.kube, { access: { kind: 'in-cluster' }, namespace: undefined, leaseNamespace: 'sys', leaseName: 'rel-leader', identity: 'control-0', quotaStatusIntervalMs: 10_000 });
  assert.equal(parseControlConfig(['--store', 'memory', '--kubeconfig', kc, '--quota-status-interval', '2s'], {}, false).kube?.quotaStatusIntervalMs, 2000);
  assert.deepEqual(issues(() => parseControlConfig(['--store', 'memory', '--kubeconfig', kc, '--quota-status-interval', '100ms'], {}, false)), [
    '--quota-status-interval: must be at least 1s (proxies report usage about once a second)',
  ]);
  assert.deepEqual(issues(() => parseControlConfig(['--store', 'memory', '--kubeconfig', kc, '--in-cluster', '--namespace', 'Bad_NS'], {}, false)), [
    '--namespace: "Bad_NS" is not a valid namespace (lower-case letters, digits, "-" and ".")',
    '--in-cluster: give either --kubeconfig or --in-cluster, not both',
  ]);
});
