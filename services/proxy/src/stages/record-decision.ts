import type { Logger } from '@sockscale/common';
import type { Decision } from '../policy';
import type { ProxyMetrics } from '../server/proxy-metrics';

/**
 * Counts a policy decision and the shadow rules that would have decided it
 * (sockscale_proxy_shadow_rule_hits_total, one log line each). Shadow hits never change `d`.
 */
export function recordDecision(metrics: ProxyMetrics, log: Logger, d: Decision): void {
  metrics.policyDecisions.inc({ action: d.action === 'Allow' ? 'allow' : 'deny', reason: d.reason });
  const shadow = d.shadow;
  if (shadow === undefined) return;
  for (const h of shadow) {
    metrics.shadowHits.inc({ policy: h.policy ?? '', rule: h.rule ?? '', action: h.action === 'Allow' ? 'allow' : 'deny', differs: h.action === d.action ? 'false' : 'true' });
    log.info({ shadowPolicy: h.policy, shadowRule: h.rule, wouldBe: h.action, reason: h.reason, enforced: d.action, policy: d.policy, rule: d.rule }, 'shadow rule would have decided');
  }
}
