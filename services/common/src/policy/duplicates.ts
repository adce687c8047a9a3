/** Two objects of the same kind and name, in one file or across files, are an error. */
import type { ValidationIssue } from '../errors/sockscale-error';
import { formatSource, type SourcedObject } from './sourced-object';
import { objectKey } from './types';

/** Keeps the first definition of each Kind/name; reports every later one. */
export function findDuplicateObjects(objects: readonly SourcedObject[]): { unique: SourcedObject[]; issues: ValidationIssue[] } {
  const first = new Map<string, SourcedObject>();
  const unique: SourcedObject[] = [];
  const issues: ValidationIssue[] = [];
  for (const o of objects) {
    const key = objectKey(o.object);
    const earlier = first.get(key);
    if (earlier === undefined) {
      first.set(key, o);
      unique.push(o);
      continue;
    }
    const issue: ValidationIssue = {
      file: o.file,
      document: o.document,
      object: key,
      path: 'metadata.name',
      message: `duplicate ${o.object.kind} ${JSON.stringify(o.object.metadata.name)}; already defined at ${formatSource(earlier)}`,
    };
    if (o.line !== undefined) issue.line = o.line;
    if (o.column !== undefined) issue.column = o.column;
    issues.push(issue);
  }
  return { unique, issues };
}
