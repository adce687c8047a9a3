/**
 * Maps a field path (`spec.rules[0].ports[1]`) back to the YAML node it came from, so issues
 * can carry a line and column. When the path leads to a field that is absent, the position is
 * that of the deepest node that exists (the mapping that lacks the field).
 */
import { isAlias, isMap, isScalar, isSeq, type Document, type LineCounter } from 'yaml';
import type { FieldPath } from './field-path';

export interface SourcePosition {
  /** 1-based. */
  line: number;
  /** 1-based. */
  column: number;
}

function startOf(node: unknown): number | undefined {
  if (typeof node !== 'object' || node === null || !('range' in node)) return undefined;
  const range = (node as { range?: readonly number[] | null }).range;
  return range?.[0] ?? undefined;
}

/** An implicit null (`key:` with nothing after it) has no useful position of its own. */
function isImplicitNull(node: unknown): boolean {
  return node === null || node === undefined || (isScalar(node) && node.value === null && node.source === '');
}

/** Byte offset of the node at `path` (or of its key when `at` is 'key'). */
export function locateOffset(doc: Document, path: FieldPath, at: 'key' | 'value'): number | undefined {
  let node: unknown = doc.contents;
  let offset = startOf(node);
  for (let i = 0; i < path.length; i++) {
    const segment = path[i];
    if (isAlias(node)) node = node.resolve(doc);
    const last = i === path.length - 1;
    if (isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(segment));
      if (pair === undefined) break;
      if ((last && at === 'key') || isImplicitNull(pair.value)) return startOf(pair.key) ?? offset;
      node = pair.value;
    } else if (isSeq(node) && typeof segment === 'number') {
      const item = node.items[segment];
      if (item === undefined || isImplicitNull(item)) break;
      node = item;
    } else {
      break;
    }
    offset = startOf(node) ?? offset;
  }
  return offset;
}

export function locate(doc: Document, lineCounter: LineCounter, path: FieldPath, at: 'key' | 'value' = 'value'): SourcePosition | undefined {
  const offset = locateOffset(doc, path, at);
  if (offset === undefined) return undefined;
  const { line, col } = lineCounter.linePos(offset);
  return { line, column: col };
}
