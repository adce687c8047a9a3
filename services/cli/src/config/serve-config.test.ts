import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError } from '@sockscale/common';
import { parseServeConfig } from './serve-config';
import { parseDuration, parseHostPort } from './parse-values';

test('defaults: loopback listeners, info level, format by terminal', () => {
  const c = parseServeConfig(['--policy', 'p.yaml'], {}, false);
  assert.deepEqual(c.listen, { host: '127.0.0.1', port: 1080 });
  assert.deepEqual(c.admin, { host: '127.0.0.1', port: 9080 });
  assert.equal(c.logLevel, 'info');
  assert.equal(c.logFormat, 'json');
  assert.equal(parseServeConfig(['--policy', 'p.yaml'], {}, true).logFormat, 'pretty');
});

test('flags win over environment; environment fills the rest', () => {
  const c = parseServeConfig(['--policy', 'a.yaml', '--policy', 'dir', '--listen', '[::1]:1081'], { SOCKSCALE_LISTEN: '0.0.0.0:1', SOCKSCALE_ADMIN: 'off', SOCKSCALE_IDLE_TIMEOUT: '5m', SOCKSCALE_MAX_CONNECTIONS: '7' }, false);
  assert.deepEqual(c.policyPaths, ['a.yaml', 'dir']);
  assert.deepEqual(c.listen, { host: '::1', port: 1081 });
  assert.equal(c.admin, null);
  assert.equal(c.proxy.idleTimeoutMs, 300_000);
  assert.equal(c.proxy.maxConnections, 7);
  assert.deepEqual(parseServeConfig([], { SOCKSCALE_POLICY: 'x.yaml, y.yaml' }, false).policyPaths, ['x.yaml', 'y.yaml']);
});

test('every problem is reported at once', () => {
  try {
    parseServeConfig(['--listen', 'localhost', '--connect-timeout', '10', '--admin', 'x:y'], { SOCKSCALE_LOG_FORMAT: 'xml', SOCKSCALE_MAX_CONNECTIONS: '-3' }, false);
    assert.fail('expected ConfigError');
  } catch (err) {
    assert.ok(err instanceof ConfigError);
    const paths = err.issues.map((i) => i.path);
    assert.deepEqual(paths.sort(), ['--admin', '--connect-timeout', '--listen', '--policy', 'SOCKSCALE_LOG_FORMAT', 'SOCKSCALE_MAX_CONNECTIONS'].sort());
    assert.equal(err.code, 'ERR_SOCKSCALE_CONFIG');
  }
});

test('unknown flags are reported', () => {
  assert.throws(() => parseServeConfig(['--policy', 'p', '--lisen', 'x'], {}, false), /Unknown option '--lisen'/);
});

test('value parsers', () => {
  assert.deepEqual(parseHostPort('127.0.0.1:0'), { host: '127.0.0.1', port: 0 });
  assert.deepEqual(parseHostPort('[::]:1080'), { host: '::', port: 1080 });
  assert.match(parseHostPort(':1080') as string, /no host/);
  assert.match(parseHostPort('1.2.3.4:70000') as string, /out of range/);
  assert.equal(parseDuration('250ms'), 250);
  assert.equal(parseDuration('1.5s'), 1500);
  assert.equal(parseDuration('2h'), 7_200_000);
  assert.equal(parseDuration('0'), 0);
  assert.match(parseDuration('10') as string, /not a duration/);
});

test('protocol detection options: flags and environment, with range checks', () => {
  const c = parseServeConfig(['--policy', 'p.yaml', '--protocol-peek-timeout', '250ms'], { SOCKSCALE_PROTOCOL_PEEK_BYTES: '4096' }, false);
  assert.equal(c.proxy.protocolPeekTimeoutMs, 250);
  assert.equal(c.proxy.protocolPeekBytes, 4096);
  assert.throws(
    () => parseServeConfig(['--policy', 'p.yaml', '--protocol-peek-timeout', '0', '--protocol-peek-bytes', '10'], {}, false),
    (err: unknown) => err instanceof ConfigError && /--protocol-peek-bytes: 10 is out of range/.test(err.message) && /--protocol-peek-timeout: must be greater than 0/.test(err.message),
  );
});
