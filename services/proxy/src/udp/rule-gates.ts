import type { SessionGates } from '../limits';
import type { Decision } from '../policy';
import { ruleKeyOf } from '../stages/session-limits';

/**
 * The bandwidth gates of a UDP association per allowing rule: asked for once per rule
 * (`gatesFor`, e.g. LimitRegistry.gatesFor for the association's user) and cached until the
 * next policy snapshot (`clear`). Without `gatesFor` every datagram gets `fallback`.
 */
export class RuleGates {
  private readonly byRule = new Map<string, SessionGates | undefined>();

  constructor(
    private readonly gatesFor: ((d: Decision) => SessionGates | undefined) | undefined,
    private readonly fallback: SessionGates | undefined = undefined,
  ) {}

  of(d: Decision): SessionGates | undefined {
    if (this.gatesFor === undefined) return this.fallback;
    const key = ruleKeyOf(d);
    if (this.byRule.has(key)) return this.byRule.get(key);
    const gates = this.gatesFor(d);
    this.byRule.set(key, gates);
    return gates;
  }

  /** A new snapshot: the rules' limits are asked for again. */
  clear(): void {
    this.byRule.clear();
  }
}
