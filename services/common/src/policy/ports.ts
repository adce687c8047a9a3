/**
 * Rule ports: a port number `N` or an inclusive range `LO-HI`, each 1-65535. Port 0 is allowed
 * only on its own (`0`: SOCKS BIND/UDP ASSOCIATE requests may name port 0). Entries may be
 * written as YAML integers or strings; the validated form is always a canonical string.
 */
export const PORT_MIN = 1;
export const PORT_MAX = 65535;

export interface PortRange {
  /** Canonical text: `"25"` or `"8000-8080"`. */
  text: string;
  lo: number;
  hi: number;
}

const SYNTAX = /^(\d+)(?:-(\d+))?$/;
const EXPECTED = `a port number (${PORT_MIN}-${PORT_MAX}) or a range "LO-HI" such as "8000-8080"`;

/** Parses one `ports` entry; returns the range or an error message. */
export function parsePortRange(input: unknown): PortRange | string {
  if (typeof input === 'number') {
    if (!Number.isInteger(input)) return `${input} is not a whole number; expected ${EXPECTED}`;
    if (input === 0) return { text: '0', lo: 0, hi: 0 };
    if (input < PORT_MIN || input > PORT_MAX) return `port ${input} is out of range (${PORT_MIN}-${PORT_MAX})`;
    return { text: String(input), lo: input, hi: input };
  }
  if (typeof input !== 'string') return `expected ${EXPECTED}`;
  const m = SYNTAX.exec(input);
  if (m === null) {
    const hint = input.includes(',') ? '; list each port as a separate entry' : /\s/.test(input) ? '; remove the spaces' : '';
    return `${JSON.stringify(input)} is not ${EXPECTED}${hint}`;
  }
  const [, loText = '', hiText] = m;
  for (const part of hiText === undefined ? [loText] : [loText, hiText]) {
    if (part.length > 1 && part.startsWith('0')) return `${JSON.stringify(input)}: port ${JSON.stringify(part)} has a leading zero; write ${JSON.stringify(String(Number(part)))}`;
  }
  const lo = Number(loText);
  if (hiText === undefined) {
    if (lo === 0) return { text: '0', lo: 0, hi: 0 };
    if (lo > PORT_MAX) return `port ${loText} is out of range (${PORT_MIN}-${PORT_MAX})`;
    return { text: loText, lo, hi: lo };
  }
  const hi = Number(hiText);
  for (const [text, n] of [[loText, lo], [hiText, hi]] as const) {
    if (n === 0) return `${JSON.stringify(input)}: port 0 is allowed only on its own ("0"), not in a range`;
    if (n > PORT_MAX) return `${JSON.stringify(input)}: port ${text} is out of range (${PORT_MIN}-${PORT_MAX})`;
  }
  if (lo > hi) return `${JSON.stringify(input)}: the range is backwards; write "${hi}-${lo}"`;
  return { text: input, lo, hi };
}
