/**
 * Shared flag/env reading for the commands added after `serve` (control, apply/delete/get and
 * serve's control-plane options): a table of settings, flags win over the environment, every
 * problem collected so the command reports them all at once (ConfigError, exit 2).
 */
import { parseArgs } from 'node:util';
import type { ValidationIssue } from '@sockscale/common';

export interface Setting {
  flag: string;
  env: string;
  default: string;
  help: string;
  /** Repeatable flag (the env value is comma-separated). */
  multiple?: boolean;
  /** Boolean switch (no value). */
  boolean?: boolean;
  short?: string;
}

export class SettingsReader {
  readonly issues: ValidationIssue[] = [];
  readonly positionals: string[] = [];
  private values: Record<string, string | boolean | (string | boolean)[] | undefined> = {};

  constructor(
    settings: readonly Setting[],
    argv: readonly string[],
    private readonly env: NodeJS.ProcessEnv,
    opts: { allowPositionals?: boolean; strict?: boolean } = {},
  ) {
    const options: Record<string, { type: 'string' | 'boolean'; multiple?: boolean; short?: string }> = {};
    for (const s of settings) {
      const o: { type: 'string' | 'boolean'; multiple?: boolean; short?: string } = { type: s.boolean === true ? 'boolean' : 'string' };
      if (s.multiple === true) o.multiple = true;
      if (s.short !== undefined) o.short = s.short;
      options[s.flag] = o;
    }
    try {
      const parsed = parseArgs({ args: [...argv], options, strict: opts.strict ?? true, allowPositionals: opts.allowPositionals ?? false });
      this.values = parsed.values;
      this.positionals.push(...parsed.positionals);
    } catch (err) {
      this.issues.push({ path: 'flags', message: (err as Error).message });
    }
  }

  /** Raw value and where it came from (`--flag` or the variable name). */
  raw(s: Setting): { value: string; source: string } | undefined {
    const v = this.values[s.flag];
    if (typeof v === 'string') return { value: v, source: `--${s.flag}` };
    const e = this.env[s.env];
    if (e !== undefined && e !== '') return { value: e, source: s.env };
    return undefined;
  }

  list(s: Setting): string[] {
    const v = this.values[s.flag];
    if (Array.isArray(v) && v.length > 0) return v.map(String);
    const e = this.env[s.env];
    return e === undefined || e === '' ? [] : e.split(',').map((x) => x.trim()).filter((x) => x !== '');
  }

  flag(s: Setting): boolean {
    const v = this.values[s.flag];
    if (v === true) return true;
    const e = this.env[s.env];
    return e === '1' || e === 'true';
  }

  /** Parses one setting; a parse error (a string) becomes an issue naming the flag or variable. */
  get<T>(s: Setting, parse: (v: string) => T | string): T | undefined {
    const v = this.raw(s);
    if (v === undefined) return undefined;
    const r = parse(v.value);
    if (typeof r === 'string') {
      this.issues.push({ path: v.source, message: r });
      return undefined;
    }
    return r;
  }

  problem(s: Setting, message: string): void {
    this.issues.push({ path: `--${s.flag}`, message });
  }
}

export function settingsHelp(settings: readonly Setting[]): string {
  return settings
    .map((s) => `  --${(s.short !== undefined ? `${s.flag}, -${s.short}` : s.flag).padEnd(24)} ${s.help}\n  ${''.padEnd(26)} env ${s.env}; default ${s.default}`)
    .join('\n');
}
