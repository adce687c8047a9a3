import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as grpc from '@grpc/grpc-js';
import type { PeerCertificate } from 'node:tls';
import { AdminAuth } from './admin-auth';

const md = (auth?: string): grpc.Metadata => {
  const m = new grpc.Metadata();
  if (auth !== undefined) m.set('authorization', auth);
  return m;
};
const cert = (cn: string) => ({ sslPeerCertificate: { subject: { CN: cn } } as unknown as PeerCertificate });

test('bearer token: right passes; missing, malformed and wrong are UNAUTHENTICATED with a reason', () => {
  const a = new AdminAuth('0123456789abcdef-token');
  assert.equal(a.check(md('Bearer 0123456789abcdef-token')), undefined);
  assert.equal(a.check(md('bearer 0123456789abcdef-token')), undefined);
  const cases: [grpc.Metadata, RegExp][] = [
    [md(), /missing credential/],
    [md('Basic abc'), /malformed authorization/],
    [md('Bearer 0123456789abcdef-tokem'), /invalid admin token/],
  ];
  for (const [m, want] of cases) {
    const e = a.check(m);
    assert.equal(e?.code, grpc.status.UNAUTHENTICATED);
    assert.match(e?.message ?? '', want);
  }
});

test('no token configured: every call refused; listed certificate CNs are admins, others are not', () => {
  assert.match(new AdminAuth(undefined).check(md('Bearer x'))?.message ?? '', /admin API is disabled/);
  const a = new AdminAuth(undefined, ['ops']);
  assert.equal(a.check(md(), cert('ops')), undefined);
  assert.match(a.check(md(), cert('proxy-7'))?.message ?? '', /CN not in --admin-cert-cn/);
  const both = new AdminAuth('0123456789abcdef-token', ['ops']);
  assert.equal(both.check(md('Bearer 0123456789abcdef-token'), cert('proxy-7')), undefined);
});
