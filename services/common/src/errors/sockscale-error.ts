/**
 * Base error with a stable machine-readable `code` (undici style). Messages are for people;
 * `code` is what callers and tests match on.
 */
export class SockscaleError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** One problem found while validating input: where it is and what is wrong. */
export interface ValidationIssue {
  /** File the problem is in, when the input came from a file. */
  file?: string;
  /** 0-based index of the YAML document in a multi-document file. */
  document?: number;
  /** 1-based line and column, when known. */
  line?: number;
  column?: number;
  /** Object the issue belongs to, e.g. `SocksPolicy/staff-lab`. */
  object?: string;
  /** Field path such as `spec.rules[0].ports[1]`. */
  path: string;
  message: string;
}

export function formatIssue(issue: ValidationIssue): string {
  const where: string[] = [];
  if (issue.file !== undefined) {
    let loc = issue.file;
    if (issue.line !== undefined) loc += `:${issue.line}${issue.column !== undefined ? `:${issue.column}` : ''}`;
    where.push(loc);
  }
  if (issue.document !== undefined) where.push(`document ${issue.document + 1}`);
  if (issue.object !== undefined) where.push(issue.object);
  const prefix = where.length > 0 ? `${where.join(' ')}: ` : '';
  return `${prefix}${issue.path === '' ? '' : `${issue.path}: `}${issue.message}`;
}

/** Input (policy file, object, config) failed validation; `issues` lists every problem found. */
export class ValidationError extends SockscaleError {
  readonly issues: readonly ValidationIssue[];
  constructor(code: string, summary: string, issues: readonly ValidationIssue[]) {
    super(code, `${summary}:\n${issues.map((i) => `  - ${formatIssue(i)}`).join('\n')}`);
    this.issues = issues;
  }
}

export class ConfigError extends ValidationError {
  constructor(issues: readonly ValidationIssue[]) {
    super('ERR_SOCKSCALE_CONFIG', 'invalid configuration', issues);
  }
}

export class PolicyError extends ValidationError {
  constructor(issues: readonly ValidationIssue[]) {
    super('ERR_SOCKSCALE_POLICY', 'invalid policy', issues);
  }
}
