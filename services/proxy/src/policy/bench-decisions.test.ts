import assert from 'node:assert/strict';
import { it } from 'node:test';
import { benchDecisions, syntheticWorkload } from './bench-decisions';

it('benchDecisions runs and reports a rate', () => {
  const r = benchDecisions(200, 0.05);
  assert.equal(r.ruleCount, 200);
  assert.ok(r.decisions > 0 && r.decisionsPerSecond > 0 && r.decisionsPerCpuSecond > 0);
});

it('syntheticWorkload builds the requested number of rules', () => {
  const { snapshot, requests } = syntheticWorkload(250);
  assert.equal(
    snapshot.policies.reduce((n, p) => n + p.spec.rules.length, 0),
    250,
  );
  assert.equal(requests.length, 4096);
});
