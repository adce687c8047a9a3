import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { API_VERSION, type PolicySnapshot, type Rule } from '@sockscale/common';
import { compilePolicy, type PolicyRequest } from './index';
import { referenceEvaluate } from './reference-evaluate';
import { windowActive } from './time-gate';

function snapshotOf(rules: Rule[]): PolicySnapshot {
  return {
    version: 1,
    users: [],
    policies: [{ apiVersion: API_VERSION, kind: 'SocksPolicy', metadata: { name: 'p' }, spec: { priority: 1, subjects: { users: ['u'], groups: [], anonymous: false, clientCIDRs: [] }, rules } }],
  };
}
const subject = { user: 'u', groups: [], clientIp: '192.0.2.1' };
const r = (name: string, action: 'Allow' | 'Deny', extra: Partial<Rule> = {}): Rule => ({ name, action, commands: ['Connect', 'Bind', 'UdpAssociate'], destinations: [], ports: [], ...extra });

/** Evaluates with the compiled engine and checks the reference agrees. */
function decide(snap: PolicySnapshot, req: PolicyRequest): { rule: string | null; action: string; shadow: string[] } {
  const d = compilePolicy(snap).forSubject(subject).evaluate(req);
  const want = referenceEvaluate(snap, subject, req);
  assert.deepEqual([d.action, d.rule, d.reason], [want.action, want.rule, want.reason], JSON.stringify(req));
  return { rule: d.rule, action: d.action, shadow: (d.shadow ?? []).map((h) => `${h.rule}:${h.action}`) };
}

describe('protocols and SNI/Host matching', () => {
  const snap = snapshotOf([
    r('tls-example', 'Allow', { protocols: ['tls'], destinations: ['*.example.com'] }),
    r('http-only', 'Allow', { protocols: ['http'], destinations: ['*.example.org'] }),
    r('plain-domain', 'Allow', { destinations: ['*.example.net'] }),
  ]);
  const ip = { ip: '203.0.113.5' };
  it('a tunnel to an IP with SNI video.example.com matches a *.example.com tls rule', () => {
    assert.equal(decide(snap, { command: 'Connect', destination: ip, port: 443, protocol: 'tls', serverName: 'video.example.com' }).rule, 'tls-example');
    assert.equal(decide(snap, { command: 'Connect', destination: ip, port: 443, protocol: 'tls', serverName: 'VIDEO.Example.COM.' }).rule, 'tls-example');
  });
  it('the name counts only for the listed protocols, only once detected, only for CONNECT', () => {
    assert.equal(decide(snap, { command: 'Connect', destination: ip, port: 443, protocol: 'http', serverName: 'video.example.com' }).rule, null);
    assert.equal(decide(snap, { command: 'Connect', destination: ip, port: 443, serverName: 'video.example.com' }).rule, null);
    assert.equal(decide(snap, { command: 'UdpAssociate', destination: ip, port: 443, protocol: 'tls', serverName: 'video.example.com' }).rule, null);
    assert.equal(decide(snap, { command: 'Connect', destination: ip, port: 80, protocol: 'http', serverName: 'a.example.org' }).rule, 'http-only');
  });
  it('rules without protocols never match by SNI/Host', () => {
    assert.equal(decide(snap, { command: 'Connect', destination: ip, port: 443, protocol: 'tls', serverName: 'a.example.net' }).rule, null);
    assert.equal(decide(snap, { command: 'Connect', destination: { domain: 'a.example.net' }, port: 443, protocol: 'tls' }).rule, 'plain-domain');
  });
  it('needsProtocol: only when a protocol rule could decide before the first plain match', () => {
    const rules = compilePolicy(snap).forSubject(subject);
    assert.equal(rules.inspects, true);
    assert.equal(rules.needsProtocol({ command: 'Connect', destination: ip, port: 443 }), true, 'by SNI, any address');
    assert.equal(rules.needsProtocol({ command: 'UdpAssociate', destination: ip, port: 443 }), false);
    const plainFirst = compilePolicy(snapshotOf([r('all', 'Allow'), r('tls', 'Deny', { protocols: ['tls'] })])).forSubject(subject);
    assert.equal(plainFirst.needsProtocol({ command: 'Connect', destination: ip, port: 443 }), false, 'decided before any protocol rule');
    const none = compilePolicy(snapshotOf([r('all', 'Allow')])).forSubject(subject);
    assert.equal(none.inspects, false);
  });
});

describe('shadow rules', () => {
  const snap = snapshotOf([
    r('trial-deny', 'Deny', { mode: 'Shadow', ports: ['443'] }),
    r('trial-allow', 'Allow', { mode: 'Shadow', ports: ['22'] }),
    r('web', 'Allow', { ports: ['443'], limits: { maxConnections: 3 } }),
    r('after', 'Deny', { mode: 'Shadow' }),
  ]);
  it('never change the outcome; report the ones that would have decided before the deciding rule', () => {
    assert.deepEqual(decide(snap, { command: 'Connect', destination: { ip: '203.0.113.5' }, port: 443 }), { rule: 'web', action: 'Allow', shadow: ['trial-deny:Deny'] });
    assert.deepEqual(decide(snap, { command: 'Connect', destination: { ip: '203.0.113.5' }, port: 22 }), { rule: null, action: 'Deny', shadow: ['trial-allow:Allow', 'after:Deny'] });
  });
  it('limits of the deciding Enforce rule are on the decision', () => {
    const d = compilePolicy(snap).forSubject(subject).evaluate({ command: 'Connect', destination: { ip: '203.0.113.5' }, port: 443 });
    assert.deepEqual(d.limits, { maxConnections: 3 });
  });
});

describe('time windows', () => {
  const snap = snapshotOf([
    r('office', 'Allow', { timeWindows: [{ days: ['Mon', 'Tue', 'Wed', 'Thu', 'Fri'], start: '09:00', end: '17:00', timeZone: 'Europe/Berlin' }] }),
    r('night', 'Allow', { ports: ['22'], timeWindows: [{ days: ['Fri'], start: '22:00', end: '02:00', timeZone: 'UTC' }] }),
    r('gap', 'Allow', { ports: ['25'], timeWindows: [{ days: ['Sun'], start: '02:00', end: '03:00', timeZone: 'Europe/Berlin' }] }),
  ]);
  const at = (iso: string, port = 443): string | null => decide(snap, { command: 'Connect', destination: { ip: '203.0.113.5' }, port, at: Date.parse(iso) }).rule;
  it('follow the zone, including the DST change', () => {
    assert.equal(at('2026-01-05T08:00:00Z'), 'office', 'Mon 09:00 CET');
    assert.equal(at('2026-01-05T07:59:59Z'), null, 'Mon 08:59 CET');
    assert.equal(at('2026-01-05T15:59:00Z'), 'office', 'Mon 16:59 CET');
    assert.equal(at('2026-01-05T16:00:00Z'), null, 'Mon 17:00 CET: end is exclusive');
    assert.equal(at('2026-07-06T07:00:00Z'), 'office', 'Mon 09:00 CEST (UTC+2)');
    assert.equal(at('2026-07-06T15:00:00Z'), null, 'Mon 17:00 CEST');
    assert.equal(at('2026-01-10T10:00:00Z'), null, 'Saturday');
  });
  it('wrap past midnight onto the next day', () => {
    assert.equal(at('2026-01-09T23:00:00Z', 22), 'night', 'Fri 23:00');
    assert.equal(at('2026-01-10T01:59:00Z', 22), 'night', 'Sat 01:59 belongs to Friday');
    assert.equal(at('2026-01-10T02:00:00Z', 22), null);
    assert.equal(at('2026-01-08T23:00:00Z', 22), null, 'Thu 23:00');
  });
  it('a window inside the skipped hour of spring-forward never opens; the repeated autumn hour opens twice', () => {
    // Europe/Berlin: 2026-03-29 02:00 -> 03:00 (skipped); 2026-10-25 03:00 -> 02:00 (repeated).
    for (let m = 0; m < 180; m += 5) assert.equal(at(new Date(Date.parse('2026-03-28T23:30:00Z') + m * 60_000).toISOString(), 25), null);
    assert.equal(at('2026-10-25T00:30:00Z', 25), 'gap', 'first 02:30 (CEST)');
    assert.equal(at('2026-10-25T01:30:00Z', 25), 'gap', 'second 02:30 (CET)');
    assert.equal(at('2026-10-25T02:00:00Z', 25), null, '03:00 CET');
  });
  it('windowActive: plain and wrapping windows by day and minute', () => {
    const mon = 1;
    assert.equal(windowActive({ days: mon, start: 0, end: 1440 }, 0, 1439), true);
    assert.equal(windowActive({ days: mon, start: 0, end: 1440 }, 1, 0), false);
    assert.equal(windowActive({ days: 1 << 6, start: 1380, end: 60 }, 0, 30), true, 'Sun 23:00-01:00 covers Mon 00:30');
    assert.equal(windowActive({ days: 1 << 6, start: 1380, end: 60 }, 6, 30), false, 'but not Sun 00:30');
  });
});
