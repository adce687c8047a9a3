/**
 * Quantities of bytes or bytes per second in rule limits: `500k`, `2Mi`, `10MB/s`, `1.5G`, or
 * a plain integer (bytes/s).
 *
 *   quantity = number [suffix] ["B"] ["/s"]
 *   number   = digits ["." digits]
 *   suffix   = "k" | "K" | "M" | "G" | "T"        SI: 10^3, 10^6, 10^9, 10^12
 *            | "Ki" | "Mi" | "Gi" | "Ti"          binary: 2^10, 2^20, 2^30, 2^40
 *
 * `B` (bytes) and `/s` are optional and change nothing: every limit is in bytes (per second
 * for bandwidth). Bits are not accepted (`Mb`, `Mbit`, `bps`): divide by 8. No spaces. The
 * value is rounded down to whole bytes and must be at least 1. YAML integers are accepted as
 * bytes/s; the validated form is always an integer, so validating twice gives the same result.
 */
export const QUANTITY_PATTERN = '^[0-9]+(\\.[0-9]+)?([kKMGT]|[KMGT]i)?B?(/s)?$';
export const QUANTITY_MAX = Number.MAX_SAFE_INTEGER;

const SYNTAX = new RegExp(QUANTITY_PATTERN);
const MULTIPLIER: Readonly<Record<string, number>> = {
  '': 1,
  k: 1e3,
  K: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
};
export const QUANTITY_EXPECTED = 'a quantity of bytes/s such as 500k, 2Mi or "10MB/s" (SI k/M/G/T or binary Ki/Mi/Gi/Ti; optional B and /s)';

/** Parses a quantity (string or integer); returns whole bytes or an error message. */
export function parseQuantity(input: unknown): { value: number } | string {
  if (typeof input === 'number') {
    if (!Number.isInteger(input)) return `${input} is not a whole number of bytes; write a string such as "1.5k" for fractions`;
    if (input < 1 || input > QUANTITY_MAX) return `${input} is out of range; expected at least 1 byte/s`;
    return { value: input };
  }
  if (typeof input !== 'string') return `expected ${QUANTITY_EXPECTED}`;
  const m = /^([0-9]+(?:\.[0-9]+)?)([kKMGT]i?)?(B)?(\/s)?$/.exec(input);
  if (m === null || !SYNTAX.test(input)) {
    let hint = '';
    if (/\s/.test(input)) hint = '; remove the spaces';
    else if (/b(it|ps)?(\/s)?$/.test(input)) hint = '; bits are not accepted: use bytes (B), e.g. 10Mbit/s = "1.25MB/s"';
    else if (/^[0-9.]+[a-zA-Z]/.test(input)) hint = '; suffixes are k, M, G, T (SI) or Ki, Mi, Gi, Ti (binary)';
    return `${JSON.stringify(input)} is not ${QUANTITY_EXPECTED}${hint}`;
  }
  const [, num = '0', suffix = ''] = m;
  const mult = MULTIPLIER[suffix];
  if (mult === undefined) return `${JSON.stringify(input)}: unknown suffix ${JSON.stringify(suffix)}`;
  const value = Math.floor(Number(num) * mult);
  if (!Number.isFinite(value) || value > QUANTITY_MAX) return `${JSON.stringify(input)} is too large`;
  if (value < 1) return `${JSON.stringify(input)} is less than 1 byte/s`;
  return { value };
}

/** Human form for logs and explain: 2097152 -> "2Mi", 500000 -> "500k", 1234 -> "1234". */
export function formatQuantity(bytes: number): string {
  for (const [s, m] of [['Ti', 2 ** 40], ['Gi', 2 ** 30], ['Mi', 2 ** 20], ['Ki', 2 ** 10], ['T', 1e12], ['G', 1e9], ['M', 1e6], ['k', 1e3]] as const) {
    if (bytes >= m && bytes % m === 0) return `${bytes / m}${s}`;
  }
  return String(bytes);
}
