import assert from 'node:assert/strict';
import { it } from 'node:test';
import { compilePolicy } from './compile-policy';
import type { PolicyRequest } from './types';
import { syntheticWorkload } from './bench-decisions';
import { Prng } from './prng';
import { randomRequest, randomSubject, randomWorld } from './random-snapshot';
import { referenceAnonymousAllowed, referenceApplicablePolicies, referenceEvaluate, referenceMightAllowDomain, referenceNeedsProtocol } from './reference-evaluate';
import type { Decision } from './types';

/** The fields that must agree (limits and shadow hits included). */
function view(d: Decision): unknown {
  const shadow = (d.shadow ?? []).map((h) => `${h.action}/${h.policy}/${h.rule}/${h.reason}`);
  return { action: d.action, policy: d.policy, rule: d.rule, reason: d.reason, limits: d.limits ?? null, shadow };
}

// POLICY_SEED=<n> reproduces a failing run; POLICY_SNAPSHOTS=<n> runs more (or fewer) worlds.
const SEED = Number(process.env.POLICY_SEED ?? Date.now() % 2147483647);
const SNAPSHOTS = Number(process.env.POLICY_SNAPSHOTS ?? 1000);
const SUBJECTS_PER_SNAPSHOT = 4;
const REQUESTS_PER_SUBJECT = 25;

it(`compiled engine agrees with the reference evaluator (${SNAPSHOTS} random snapshots, seed ${SEED})`, () => {
  let decisions = 0;
  const seen = { Allow: 0, Deny: 0, 'no-match': 0, 'special-destination': 0, mightAllowFalse: 0, shadowHit: 0, byServerName: 0, needsProtocol: 0, timeClosed: 0 };
  for (let n = 0; n < SNAPSHOTS; n++) {
    // One PRNG per snapshot so a failure names a snapshot that replays on its own.
    const worldSeed = (SEED + n * 0x9e3779b1) >>> 0;
    const rng = new Prng(worldSeed);
    const world = randomWorld(rng, n);
    // Every fifth world runs with no acceleration budgets, so the fallback paths (per-rule port
    // checks, unfiltered catch-all sets) and a one-entry subject cache are checked too.
    const constrained = n % 5 === 4;
    const compiled = compilePolicy(world.snapshot, constrained ? { portIndexWords: 0, broadSetWords: 0, subjectCacheSize: 1 } : {});
    const where = (what: string): string => `seed ${SEED}, snapshot ${n} (world seed ${worldSeed}): ${what}\n${JSON.stringify(world.snapshot.policies)}`;
    for (let s = 0; s < SUBJECTS_PER_SNAPSHOT; s++) {
      const subject = randomSubject(rng, world);
      const rules = compiled.forSubject(subject);
      const applicable = referenceApplicablePolicies(world.snapshot, subject).map((p) => p.metadata.name);
      if (rules.policies.join() !== applicable.join()) {
        assert.deepEqual(rules.policies, applicable, where(`applicable policies for ${JSON.stringify(subject)}`));
      }
      const anonymous = referenceAnonymousAllowed(world.snapshot, subject.clientIp);
      if (compiled.anonymousAllowed(subject.clientIp) !== anonymous) assert.fail(where(`anonymousAllowed(${subject.clientIp}) should be ${anonymous}`));
      for (let q = 0; q < REQUESTS_PER_SUBJECT; q++) {
        const request = randomRequest(rng, world);
        const got = rules.evaluate(request);
        const want = referenceEvaluate(world.snapshot, subject, request);
        decisions++;
        const [vg, vw] = [JSON.stringify(view(got)), JSON.stringify(view(want))];
        if (vg !== vw) assert.deepEqual(view(got), view(want), where(`evaluate ${JSON.stringify(request)} for ${JSON.stringify(subject)}`));
        seen[got.reason === 'rule' ? got.action : got.reason]++;
        if (got.shadow !== undefined) seen.shadowHit++;
        if (request.serverName !== undefined && got.rule !== null) {
          const without = rules.evaluate({ ...request, serverName: undefined });
          if (without.rule !== got.rule || without.policy !== got.policy) seen.byServerName++;
        }
        if (request.at !== undefined && got.rule !== null && rules.evaluate({ ...request, at: request.at + 6 * 3_600_000 }).rule !== got.rule) seen.timeClosed++;
        const uninspected: PolicyRequest = { command: request.command, destination: request.destination, port: request.port, at: request.at };
        const needs = rules.needsProtocol(uninspected);
        if (needs !== referenceNeedsProtocol(world.snapshot, subject, uninspected)) {
          assert.fail(where(`needsProtocol ${JSON.stringify(uninspected)} for ${JSON.stringify(subject)} should be ${!needs}`));
        }
        if (needs) seen.needsProtocol++;
        else if (request.command === 'Connect' && request.protocol !== undefined) {
          // Soundness: when inspection is not needed, the detected protocol cannot change the outcome.
          const a = rules.evaluate(uninspected);
          const b = rules.evaluate({ ...uninspected, protocol: request.protocol, ...(request.serverName !== undefined ? { serverName: request.serverName } : {}) });
          if (a.action !== b.action || a.rule !== b.rule || a.policy !== b.policy) assert.fail(where(`needsProtocol said no but ${JSON.stringify(request)} decides differently`));
        }
        const domain = request.destination.domain;
        if (domain !== undefined) {
          const might = rules.mightAllowDomain(request.command, domain, request.port, request.at);
          const expected = referenceMightAllowDomain(world.snapshot, subject, request.command, domain, request.port, request.at);
          if (might !== expected) assert.fail(where(`mightAllowDomain ${JSON.stringify(request)} for ${JSON.stringify(subject)} should be ${expected}`));
          if (!might) {
            seen.mightAllowFalse++;
            // Soundness: when the pre-check says no, no resolution may be allowed.
            for (let k = 0; k < 3; k++) {
              const ip = randomRequest(rng, world).destination.ip;
              if (ip === undefined) continue;
              const resolved: PolicyRequest = { ...request, destination: { domain, ip }, protocol: undefined };
              if (rules.evaluate(resolved).action === 'Allow') assert.fail(where(`mightAllowDomain said no but ${JSON.stringify(resolved)} is allowed`));
            }
          }
        }
      }
    }
  }
  // The generator must actually reach every outcome, or agreement proves little.
  // SNI/Host deciding needs a protocol rule with a matching name entry: rarer by construction.
  for (const [k, v] of Object.entries(seen)) assert.ok(v > decisions / (k === 'byServerName' ? 2500 : 1000), `outcome ${k} too rare: ${v} of ${decisions}`);
});

it('compiled engine agrees with the reference evaluator at scale (benchmark workload, 2,000 rules)', () => {
  const { snapshot, subject, requests } = syntheticWorkload(2000, 7);
  for (const options of [{}, { portIndexWords: 0, broadSetWords: 0 }]) {
    const rules = compilePolicy(snapshot, options).forSubject(subject);
    for (const request of requests) {
      const got = rules.evaluate(request);
      const want = referenceEvaluate(snapshot, subject, request);
      if (got.action !== want.action || got.policy !== want.policy || got.rule !== want.rule || got.reason !== want.reason) {
        assert.deepEqual({ ...got }, want, `${JSON.stringify(options)} ${JSON.stringify(request)}`);
      }
      const domain = request.destination.domain;
      if (domain !== undefined) {
        assert.equal(
          rules.mightAllowDomain(request.command, domain, request.port),
          referenceMightAllowDomain(snapshot, subject, request.command, domain, request.port),
          JSON.stringify(request),
        );
      }
    }
  }
});
