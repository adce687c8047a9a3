import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ControlProcess, sockscaleCli } from '../helpers/control-process';
import { SockscaleProcess, tempPolicy } from '../helpers/sockscale-process';
import { requireTool } from '../helpers/tools';

// mTLS between proxies / admin clients and the control plane, with certificates made by openssl.
const cleanup: (() => Promise<unknown>)[] = [];
after(async () => {
  for (const c of cleanup.reverse()) await c();
});

function makePki(): Record<'ca' | 'serverCert' | 'serverKey' | 'clientCert' | 'clientKey' | 'adminCert' | 'adminKey' | 'strangerCert' | 'strangerKey', string> {
  const openssl = requireTool('openssl', 'Debian package openssl');
  const dir = mkdtempSync(join(tmpdir(), 'sockscale-pki-'));
  const f = (n: string): string => join(dir, n);
  const run = (...args: string[]): void => void execFileSync(openssl, args, { stdio: 'ignore' });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
  run('req', '-x509', ...ec, '-keyout', f('ca.key'), '-out', f('ca.crt'), '-days', '1', '-subj', '/CN=sockscale-test-ca');
  run('req', '-x509', ...ec, '-keyout', f('other-ca.key'), '-out', f('other-ca.crt'), '-days', '1', '-subj', '/CN=someone-else');
  writeFileSync(f('server.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  writeFileSync(f('client.ext'), 'extendedKeyUsage=clientAuth\n');
  const issue = (name: string, cn: string, ca: string, ext: string): void => {
    run('req', ...ec, '-keyout', f(`${name}.key`), '-out', f(`${name}.csr`), '-subj', `/CN=${cn}`);
    run('x509', '-req', '-in', f(`${name}.csr`), '-CA', f(`${ca}.crt`), '-CAkey', f(`${ca}.key`), '-CAcreateserial', '-out', f(`${name}.crt`), '-days', '1', '-extfile', f(ext));
  };
  issue('server', 'control', 'ca', 'server.ext');
  issue('client', 'proxy', 'ca', 'client.ext');
  issue('stranger', 'stranger', 'other-ca', 'client.ext');
  issue('admin', 'ops-admin', 'ca', 'client.ext');
  return { ca: f('ca.crt'), serverCert: f('server.crt'), serverKey: f('server.key'), clientCert: f('client.crt'), clientKey: f('client.key'), adminCert: f('admin.crt'), adminKey: f('admin.key'), strangerCert: f('stranger.crt'), strangerKey: f('stranger.key') };
}

test('mTLS: proxies and admin clients with a certificate from the CA get through; others do not', async () => {
  const pki = makePki();
  const cp = await ControlProcess.start({ store: 'memory' }, ['--tls-cert', pki.serverCert, '--tls-key', pki.serverKey, '--tls-client-ca', pki.ca, '--admin-cert-cn', 'ops-admin']);
  cleanup.push(() => cp.stop());
  const tlsArgs = ['--tls-ca', pki.ca, '--tls-cert', pki.clientCert, '--tls-key', pki.clientKey];
  const file = tempPolicy('apiVersion: sockscale.io/v1alpha1\nkind: SocksPolicy\nmetadata: {name: p}\nspec: {subjects: {anonymous: true}, rules: [{action: Allow, ports: ["1"]}]}\n');
  const ok = await sockscaleCli(['apply', '-f', file, ...tlsArgs], cp.grpc);
  assert.equal(ok.code, 0, ok.stderr);
  // Plain TCP, TLS without a client certificate, and a certificate from another CA all fail.
  for (const args of [[], ['--tls-ca', pki.ca], ['--tls-ca', pki.ca, '--tls-cert', pki.strangerCert, '--tls-key', pki.strangerKey]]) {
    const r = await sockscaleCli(['get', 'policies', '--timeout', '3s', ...args], cp.grpc);
    assert.equal(r.code, 1, `${args.join(' ')}: ${r.out}`);
    assert.match(r.stderr, /UNAVAILABLE|DEADLINE_EXCEEDED/);
  }
  // A proxy's certificate is not an admin credential: the token is still required with it...
  const noToken = await sockscaleCli(['get', 'policies', ...tlsArgs], cp.grpc, { token: null });
  assert.match(noToken.stderr, /UNAUTHENTICATED\): missing credential/);
  // ...but a certificate whose CN is listed in --admin-cert-cn is one.
  const byCert = await sockscaleCli(['get', 'policies', '--tls-ca', pki.ca, '--tls-cert', pki.adminCert, '--tls-key', pki.adminKey], cp.grpc, { token: null });
  assert.equal(byCert.code, 0, byCert.stderr);
  assert.match(byCert.out, /^p\s/m);

  const proxy = await SockscaleProcess.start({
    policy: [],
    args: ['--control-plane', cp.grpc, '--control-plane-ca', pki.ca, '--control-plane-cert', pki.clientCert, '--control-plane-key', pki.clientKey, '--node-id', 'tls-proxy'],
  });
  cleanup.push(() => proxy.stop());
  assert.match(await proxy.metrics(), /sockscale_proxy_control_plane_connected 1/);
  const plain = await SockscaleProcess.runToExit(['serve', '--control-plane', cp.grpc, '--initial-policy', 'fail', '--initial-policy-timeout', '1s', '--listen', '127.0.0.1:0', '--admin', 'off', '--log-format', 'json']);
  assert.equal(plain.code, 1, 'a proxy without TLS gets no policy');
  const listed = await sockscaleCli(['get', 'proxies', '-o', 'json', ...tlsArgs], cp.grpc);
  assert.deepEqual((JSON.parse(listed.out) as { proxies: { id: string }[] }).proxies.map((p) => p.id), ['tls-proxy']);
});
