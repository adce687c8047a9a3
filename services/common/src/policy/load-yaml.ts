/**
 * Policy YAML text -> validated objects. A file holds any number of `---`-separated
 * documents; empty ones are skipped. Every issue carries the file, the document index, the
 * object (`SocksPolicy/name`) and the line/column of the offending node.
 */
import { isScalar, LineCounter, parseAllDocuments, type Document, type YAMLError } from 'yaml';
import type { ValidationIssue } from '../errors/sockscale-error';
import { findDuplicateObjects } from './duplicates';
import { formatFieldPath } from './field-path';
import type { SourcedObject } from './sourced-object';
import type { PolicyObject } from './types';
import { validateObjectDetailed } from './validate';
import { locate, type SourcePosition } from './yaml-locate';

export interface LoadOptions {
  /**
   * Accept plain-text `password.value`. Defaults to true: policy files are the carrier of
   * embedded mode, where plain text is allowed. Pass false to validate cluster manifests.
   */
  allowPlaintextPasswords?: boolean;
}

export interface LoadResult {
  objects: PolicyObject[];
  issues: ValidationIssue[];
}

function withPosition(issue: ValidationIssue, pos: SourcePosition | undefined): ValidationIssue {
  return pos === undefined ? issue : { ...issue, line: pos.line, column: pos.column };
}

function yamlIssue(file: string, document: number, lineCounter: LineCounter, e: YAMLError): ValidationIssue {
  const { line, col } = lineCounter.linePos(e.pos[0]);
  return { file, document, line, column: col, path: '', message: `YAML: ${e.message}` };
}

function isEmptyDocument(doc: Document.Parsed): boolean {
  const c = doc.contents;
  return c === null || (isScalar(c) && c.value === null);
}

/** Parses and validates every document; objects keep their source (no duplicate check). */
export function parsePolicyDocuments(text: string, file: string, options: LoadOptions = {}): { objects: SourcedObject[]; issues: ValidationIssue[] } {
  const allowPlaintextPasswords = options.allowPlaintextPasswords ?? true;
  const lineCounter = new LineCounter();
  // logLevel 'error': problems are returned as issues, never printed by the yaml package.
  const docs = parseAllDocuments(text, { lineCounter, prettyErrors: false, logLevel: 'error' });
  const objects: SourcedObject[] = [];
  const issues: ValidationIssue[] = [];
  docs.forEach((doc, document) => {
    for (const e of [...doc.errors, ...doc.warnings]) issues.push(yamlIssue(file, document, lineCounter, e));
    if (doc.errors.length > 0 || isEmptyDocument(doc)) return;
    let input: unknown;
    try {
      input = doc.toJS({ maxAliasCount: 100 });
    } catch (err) {
      const pos = locate(doc, lineCounter, []);
      issues.push(withPosition({ file, document, path: '', message: `YAML: ${err instanceof Error ? err.message : String(err)}` }, pos));
      return;
    }
    const r = validateObjectDetailed(input, { allowPlaintextPasswords });
    const located = r.issues.map((i) => {
      const issue: ValidationIssue = { file, document, path: formatFieldPath(i.path), message: i.message };
      if (r.key !== undefined) issue.object = r.key;
      return withPosition(issue, locate(doc, lineCounter, i.path, i.at));
    });
    // Schema order is field-table order; report in file order instead (the sort is stable).
    located.sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0));
    issues.push(...located);
    if (r.object !== undefined) {
      const pos = locate(doc, lineCounter, ['metadata', 'name']);
      objects.push(pos === undefined ? { object: r.object, file, document } : { object: r.object, file, document, ...pos });
    }
  });
  return { objects, issues };
}

/** Loads one multi-document YAML text; `file` labels the issues. Duplicate Kind/name is an issue. */
export function loadPolicyText(text: string, file: string, options: LoadOptions = {}): LoadResult {
  const parsed = parsePolicyDocuments(text, file, options);
  const dup = findDuplicateObjects(parsed.objects);
  return { objects: dup.unique.map((o) => o.object), issues: [...parsed.issues, ...dup.issues] };
}
