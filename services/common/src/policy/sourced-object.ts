/** A validated object together with where it was defined (for duplicate reports). */
import type { PolicyObject } from './types';

export interface SourcedObject {
  object: PolicyObject;
  file: string;
  /** 0-based index of the YAML document. */
  document: number;
  /** 1-based position of `metadata.name`, when known. */
  line?: number;
  column?: number;
}

export function formatSource(s: Omit<SourcedObject, 'object'>): string {
  const pos = s.line === undefined ? '' : `:${s.line}${s.column === undefined ? '' : `:${s.column}`}`;
  return `${s.file}${pos} (document ${s.document + 1})`;
}
