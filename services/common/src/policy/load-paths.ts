/**
 * Loads policy files and directories (a directory contributes its `*.yaml` / `*.yml` files,
 * sorted by name, not recursively). Duplicate Kind/name across all files is an issue.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { ValidationIssue } from '../errors/sockscale-error';
import { findDuplicateObjects } from './duplicates';
import { parsePolicyDocuments, type LoadOptions } from './load-yaml';
import type { SourcedObject } from './sourced-object';
import type { PolicyObject } from './types';

export interface LoadPathsResult {
  objects: PolicyObject[];
  issues: ValidationIssue[];
  /** Files read, in load order. */
  files: string[];
}

const POLICY_FILE = /\.ya?ml$/;

const FS_ERRORS: Record<string, string> = {
  ENOENT: 'no such file or directory',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  ENOTDIR: 'a parent is not a directory',
  ELOOP: 'too many symbolic links',
  EISDIR: 'is a directory',
};

function fsMessage(err: unknown): string {
  const code = typeof err === 'object' && err !== null && 'code' in err ? String(err.code) : undefined;
  const text = code !== undefined ? FS_ERRORS[code] : undefined;
  if (text !== undefined && code !== undefined) return `cannot read: ${text} (${code})`;
  return `cannot read: ${err instanceof Error ? err.message : String(err)}`;
}

/** Expands one path to the files it names, or an issue. */
async function expand(path: string): Promise<{ files: string[] } | { issue: ValidationIssue }> {
  try {
    const st = await stat(path);
    if (st.isFile()) return { files: [path] };
    if (!st.isDirectory()) return { issue: { file: path, path: '', message: 'cannot read: not a regular file or directory' } };
    const names = (await readdir(path)).filter((n) => POLICY_FILE.test(n)).sort();
    const files: string[] = [];
    for (const n of names) {
      const file = join(path, n);
      // stat follows symlinks (ConfigMap mounts link each key into ..data/); skip directories
      // named *.yaml, but keep entries stat cannot read so that reading them reports why.
      const entry = await stat(file).catch(() => undefined);
      if (entry === undefined || entry.isFile()) files.push(file);
    }
    return { files };
  } catch (err) {
    return { issue: { file: path, path: '', message: fsMessage(err) } };
  }
}

export async function loadPolicyPaths(paths: readonly string[], options: LoadOptions = {}): Promise<LoadPathsResult> {
  const files: string[] = [];
  const issues: ValidationIssue[] = [];
  const seen = new Set<string>();
  for (const p of paths) {
    const r = await expand(p);
    if ('issue' in r) {
      issues.push(r.issue);
      continue;
    }
    for (const f of r.files) {
      const abs = resolve(f);
      if (seen.has(abs)) continue;
      seen.add(abs);
      files.push(f);
    }
  }
  const sourced: SourcedObject[] = [];
  const read: string[] = [];
  for (const file of files) {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      issues.push({ file, path: '', message: fsMessage(err) });
      continue;
    }
    read.push(file);
    const parsed = parsePolicyDocuments(text, file, options);
    sourced.push(...parsed.objects);
    issues.push(...parsed.issues);
  }
  const dup = findDuplicateObjects(sourced);
  return { objects: dup.unique.map((o) => o.object), issues: [...issues, ...dup.issues], files: read };
}
