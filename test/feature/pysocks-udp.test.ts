import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { SockscaleProcess, REPO_ROOT } from '../helpers/sockscale-process';
import { startUdpEcho, type UdpEcho } from '../helpers/targets';
import { requirePySocks } from '../helpers/tools';
import { run } from '../helpers/run';

// Python PySocks (Debian python3-socks) UDP ASSOCIATE round trips through `sockscale serve`.
const PYTHON = requirePySocks();
const SCRIPT = join(REPO_ROOT, 'test', 'fixtures', 'pysocks_udp.py');
let proxy: SockscaleProcess;
let echo4: UdpEcho;
let echo6: UdpEcho;

before(async () => {
  [proxy, echo4, echo6] = await Promise.all([SockscaleProcess.start(), startUdpEcho('udp4', '127.0.0.1'), startUdpEcho('udp6', '::1')]);
});
after(async () => {
  await proxy?.stop();
  echo4?.close();
  echo6?.close();
});

for (const [label, user] of [['anonymous', []], ['alice', ['alice', 'wonderland']]] as const) {
  test(`PySocks UDP as ${label}: 200 round trips of 1200 bytes to IPv4 and 64 bytes to IPv6 arrive intact`, async () => {
    for (const [host, port, size] of [['127.0.0.1', echo4.port, 1200], ['::1', echo6.port, 64]] as const) {
      const r = await run(PYTHON, [SCRIPT, proxy.socksHost, String(proxy.socksPort), host, String(port), '200', String(size), ...user], { timeoutMs: 60_000 });
      assert.equal(r.code, 0, r.stderr);
      const out = JSON.parse(r.stdout.toString()) as { sent: number; received: number; intact: number; errors: string[] };
      assert.equal(out.sent, 200);
      // Loopback, one datagram in flight: loss would be a bug.
      assert.equal(out.intact, 200, JSON.stringify(out));
    }
  });
}
