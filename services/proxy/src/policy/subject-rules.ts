import { COMMANDS, type Command } from '@sockscale/common';
import type { RuleEngine, SubjectMasks } from './rule-engine';
import type { Decision, PolicyRequest, SubjectRules } from './types';

/** A RuleEngine seen through one subject's masks (the rules of the policies applying to it). */
export class CompiledSubjectRules implements SubjectRules {
  readonly policies: readonly string[];
  readonly ruleCount: number;
  private readonly engine: RuleEngine;
  private readonly masks: SubjectMasks;
  private readonly permitted: readonly boolean[];

  constructor(engine: RuleEngine, policyNames: readonly string[], positions: readonly number[]) {
    this.engine = engine;
    this.policies = Object.freeze([...policyNames]);
    this.ruleCount = positions.reduce((n, p) => n + (engine.policyStart[p + 1] as number) - (engine.policyStart[p] as number), 0);
    this.masks = engine.masksFor(positions);
    this.permitted = COMMANDS.map((c) => engine.permits(this.masks, c));
  }

  permits(command: Command): boolean {
    return this.permitted[COMMANDS.indexOf(command)] === true;
  }

  get inspects(): boolean {
    return this.masks.inspect !== null;
  }

  evaluate(request: PolicyRequest): Decision {
    return this.engine.evaluate(this.masks, request);
  }

  needsProtocol(request: PolicyRequest): boolean {
    return this.engine.needsProtocol(this.masks, request);
  }

  mightAllowDomain(command: Command, domain: string, port: number, at?: number): boolean {
    return this.engine.mightAllowDomain(this.masks, command, domain, port, at);
  }
}
