import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseUdpConfig } from './udp-config';

test('default is one socket per association; --udp-listen alone means per-pod advertising the listen address', () => {
  assert.deepEqual(parseUdpConfig([], {}, false), { config: { mode: 'per-association', leaseTtlSeconds: 10 }, issues: [] });
  const r = parseUdpConfig(['--udp-listen', '10.0.0.5:7000'], {}, false);
  assert.deepEqual(r.issues, []);
  assert.deepEqual(r.config, { mode: 'per-pod', listen: { host: '10.0.0.5', port: 7000 }, advertise: { host: '10.0.0.5', port: 7000 }, leaseTtlSeconds: 10 });
});

test('shared mode from the environment, with an advertised address and lease TTL', () => {
  const r = parseUdpConfig([], { SOCKSCALE_UDP_MODE: 'shared', SOCKSCALE_UDP_LISTEN: '0.0.0.0:7000', SOCKSCALE_UDP_ADVERTISE: '203.0.113.7:7000', SOCKSCALE_UDP_LEASE_TTL: '5s' }, true);
  assert.deepEqual(r.issues, []);
  assert.deepEqual(r.config, { mode: 'shared', listen: { host: '0.0.0.0', port: 7000 }, advertise: { host: '203.0.113.7', port: 7000 }, leaseTtlSeconds: 5 });
});

test('every problem is reported, naming the flag or variable', () => {
  const r = parseUdpConfig(['--udp-mode', 'shared', '--udp-listen', '0.0.0.0:7000', '--udp-lease-ttl', '1500ms'], {}, false);
  const text = r.issues.map((i) => `${i.path}: ${i.message}`).join('\n');
  assert.match(text, /--udp-mode: --udp-mode shared needs --control-plane/);
  assert.match(text, /--udp-advertise: --udp-listen 0\.0\.0\.0 is not an address clients can use/);
  assert.match(text, /--udp-lease-ttl: "1500ms" must be whole seconds from 2s to 300s/);
  const bad = parseUdpConfig(['--udp-mode', 'anycast', '--udp-advertise', 'relay.example:1'], {}, true);
  const t2 = bad.issues.map((i) => `${i.path}: ${i.message}`).join('\n');
  assert.match(t2, /--udp-mode: "anycast" is not one of per-association, per-pod, shared/);
  assert.match(t2, /--udp-advertise: "relay\.example" is not an IP address/);
  const noListen = parseUdpConfig(['--udp-mode', 'per-pod'], {}, false);
  assert.match(noListen.issues.map((i) => i.message).join('\n'), /--udp-mode per-pod needs --udp-listen HOST:PORT/);
  const stray = parseUdpConfig(['--udp-mode', 'per-association', '--udp-listen', '127.0.0.1:1'], {}, false);
  assert.match(stray.issues.map((i) => i.message).join('\n'), /need --udp-mode per-pod or shared/);
});
