/**
 * Test utility: drives the parsers with a `FuzzCase` the way a server would (greeting, then
 * RFC 1929 if offered, then the request; consume and feed the rest; re-parse as chunks arrive)
 * and checks invariants on every call. Throws `FuzzViolation` on the first broken invariant and
 * otherwise returns a digest of the outcomes, so callers can also check determinism.
 */
import { encodeAddress, type SocksAddress } from './address';
import { Method, MaxLength, Reply } from './constants';
import type { FuzzCase } from './fuzz-input';
import { parseGreeting } from './greeting';
import { parseIPv4Literal } from './ipv4';
import { SocksErrorCode, type ParseResult } from './parse-result';
import { parseRequest } from './request';
import { parseUdpHeader } from './udp-header';
import { parseUserPass } from './user-pass';

export class FuzzViolation extends Error {
  readonly code = 'ERR_SOCKS_FUZZ_VIOLATION';
  /** The case's input, for reports (`input.toString('hex')`). */
  readonly input: Buffer;
  constructor(message: string, input: Buffer, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'FuzzViolation';
    this.input = input;
  }
}

export interface FuzzOptions {
  /**
   * Also re-parse every prefix of each parsed message (O(n^2) calls): strict prefixes of a
   * message must be 'incomplete', and a rejection must be decided at one byte and stay decided.
   */
  deep?: boolean;
  /**
   * A parser call slower than this, four times in a row on the same input, is a violation.
   * Default 100 ms: generous, since the inputs are at most a few hundred bytes.
   */
  maxCallMs?: number;
  /** Updated in place: parser calls made and the slowest one seen (best of retries). */
  stats?: FuzzStats;
}

export interface FuzzStats {
  calls: number;
  maxCallMs: number;
}

type Stage = 'greeting' | 'userpass' | 'request';

const KNOWN_CODES: ReadonlySet<string> = new Set(Object.values(SocksErrorCode));

const MAX_LENGTH: Record<Stage, number> = {
  greeting: MaxLength.Greeting,
  userpass: MaxLength.UserPass,
  request: MaxLength.Request,
};

/** REP a request rejection must carry, by code. */
const REQUEST_REPLY: Partial<Record<string, number>> = {
  [SocksErrorCode.Version]: Reply.GeneralFailure,
  [SocksErrorCode.Command]: Reply.CommandNotSupported,
  [SocksErrorCode.AddressType]: Reply.AddressTypeNotSupported,
  [SocksErrorCode.Domain]: Reply.HostUnreachable,
};

function isPair(b: Buffer | undefined, first: number, second: number): boolean {
  return b !== undefined && b.length === 2 && b[0] === first && b[1] === second;
}

class Checker {
  private readonly maxCallMs: number;
  private readonly stats: FuzzStats;

  constructor(
    private readonly input: Buffer,
    options: FuzzOptions,
  ) {
    this.maxCallMs = options.maxCallMs ?? 100;
    this.stats = options.stats ?? { calls: 0, maxCallMs: 0 };
  }

  fail(message: string, cause?: unknown): never {
    throw new FuzzViolation(message, this.input, cause === undefined ? undefined : { cause });
  }

  /** Calls a parser, turning a throw or a slow return into a violation. */
  timed<T>(what: string, buf: Buffer, parse: (b: Buffer) => T): T {
    const start = performance.now();
    let result: T;
    try {
      result = parse(buf);
    } catch (err) {
      this.fail(`${what} threw on ${buf.toString('hex')}: ${String(err)}`, err);
    }
    let ms = performance.now() - start;
    this.stats.calls++;
    if (ms > this.maxCallMs) {
      // A GC pause or a busy machine can stall any call; a pathological input stalls every time.
      for (let retry = 0; retry < 3 && ms > this.maxCallMs; retry++) {
        const again = performance.now();
        parse(buf);
        ms = Math.min(ms, performance.now() - again);
      }
      if (ms > this.maxCallMs) this.fail(`${what} took ${ms.toFixed(1)} ms (best of 4) on ${buf.length} bytes`);
    }
    if (ms > this.stats.maxCallMs) this.stats.maxCallMs = ms;
    return result;
  }

  parse(stage: Stage, buf: Buffer): ParseResult<unknown> {
    const result: ParseResult<unknown> =
      stage === 'greeting'
        ? this.timed('parseGreeting', buf, parseGreeting)
        : stage === 'userpass'
          ? this.timed('parseUserPass', buf, parseUserPass)
          : this.timed('parseRequest', buf, parseRequest);
    this.checkResult(stage, buf, result);
    return result;
  }

  checkResult(stage: Stage, buf: Buffer, r: ParseResult<unknown>): void {
    const where = (): string => `${stage} on ${buf.toString('hex')}`;
    if (r.status === 'incomplete') {
      if (buf.length >= MAX_LENGTH[stage]) this.fail(`${where()}: incomplete at ${buf.length} bytes, past the maximum message size`);
      return;
    }
    if (r.status === 'error') {
      this.checkError(where, r.code, r.message, r.reply);
      const reply = r.reply;
      if (stage === 'greeting') {
        if (r.code === SocksErrorCode.Version ? reply !== undefined : !isPair(reply, 5, 0xff)) {
          this.fail(`${where()}: wrong reply for ${r.code}: ${reply?.toString('hex')}`);
        }
      } else if (stage === 'userpass') {
        if (!isPair(reply, 1, 1)) this.fail(`${where()}: wrong reply for ${r.code}: ${reply?.toString('hex')}`);
      } else {
        const rep = REQUEST_REPLY[r.code];
        if (rep === undefined || reply === undefined || reply.length !== 10 || reply[0] !== 5 || reply[1] !== rep) {
          this.fail(`${where()}: wrong reply for ${r.code}: ${reply?.toString('hex')}`);
        }
      }
      return;
    }
    if ((r.status as string) !== 'ok') this.fail(`${where()}: unknown status ${JSON.stringify(r)}`);
    const { consumed } = r;
    if (!Number.isInteger(consumed) || consumed < 1 || consumed > buf.length) {
      this.fail(`${where()}: consumed ${consumed} of ${buf.length} bytes`);
    }
    if (stage === 'greeting') {
      const { methods } = r.value as { methods: Uint8Array };
      if (buf[0] !== 5 || methods.length !== buf[1] || consumed !== 2 + methods.length) this.fail(`${where()}: inconsistent greeting`);
    } else if (stage === 'userpass') {
      const { username, password } = r.value as { username: string; password: string };
      if (consumed !== 3 + Buffer.byteLength(username) + Buffer.byteLength(password)) this.fail(`${where()}: inconsistent credentials`);
    } else {
      const { command, address, port } = r.value as { command: number; address: SocksAddress; port: number };
      if (command < 1 || command > 3) this.fail(`${where()}: command ${command}`);
      this.checkAddress(where, buf, 3, consumed, address, port);
      const again = this.timed('parseRequest', Buffer.concat([buf.subarray(0, 3), this.reencode(where, address, port)]), parseRequest);
      if (again.status !== 'ok') this.fail(`${where()}: re-encoded request does not parse: ${JSON.stringify(again)}`);
      this.checkReparsed(where, address, port, again.value.address, again.value.port);
    }
  }

  checkError(where: () => string, code: string, message: string, reply: Buffer | undefined): void {
    if (!KNOWN_CODES.has(code)) this.fail(`${where()}: unknown error code ${code}`);
    if (typeof message !== 'string' || message === '') this.fail(`${where()}: empty message`);
    if (reply !== undefined && !Buffer.isBuffer(reply)) this.fail(`${where()}: reply is not a Buffer`);
  }

  /** ATYP..PORT at `atypAt`, ending at `end`, decoded as `address`/`port`. */
  checkAddress(where: () => string, buf: Buffer, atypAt: number, end: number, address: SocksAddress, port: number): void {
    if (!Number.isInteger(port) || port < 0 || port > 0xffff || port !== buf.readUInt16BE(end - 2)) this.fail(`${where()}: port ${port}`);
    const atyp = buf[atypAt];
    if (address.type === 'ipv4') {
      if (atyp !== 1 || end !== atypAt + 7 || parseIPv4Literal(address.host) !== buf.readUInt32BE(atypAt + 1)) {
        this.fail(`${where()}: bad IPv4 ${address.host}`);
      }
    } else if (address.type === 'ipv6') {
      if (atyp !== 4 || end !== atypAt + 19 || address.host !== address.host.toLowerCase()) this.fail(`${where()}: bad IPv6 ${address.host}`);
    } else if (address.type === 'domain') {
      if (atyp !== 3 || buf[atypAt + 1] !== Buffer.byteLength(address.host) || end !== atypAt + 4 + buf[atypAt + 1]!) {
        this.fail(`${where()}: bad domain ${JSON.stringify(address.host)}`);
      }
    } else {
      this.fail(`${where()}: unknown address type ${JSON.stringify(address)}`);
    }
  }

  reencode(where: () => string, address: SocksAddress, port: number): Buffer {
    try {
      return encodeAddress(address.host, port);
    } catch (err) {
      this.fail(`${where()}: parsed address ${JSON.stringify(address)} cannot be encoded: ${String(err)}`, err);
    }
  }

  /** parse(encode(parse(x))) gives x back, except where encoding legitimately changes ATYP. */
  checkReparsed(where: () => string, a: SocksAddress, port: number, b: SocksAddress, port2: number): void {
    if (port !== port2) this.fail(`${where()}: port ${port} re-parsed as ${port2}`);
    if (a.type === b.type) {
      if (a.host !== b.host) this.fail(`${where()}: ${JSON.stringify(a)} re-parsed as ${JSON.stringify(b)}`);
      return;
    }
    const mapped = a.type === 'ipv6' && b.type === 'ipv4' && a.host === `::ffff:${b.host}`;
    const literalDomain = a.type === 'domain' && b.type !== 'domain'; // "1.2.3.4" sent as a DOMAINNAME
    if (!mapped && !literalDomain) this.fail(`${where()}: ${JSON.stringify(a)} re-parsed as ${JSON.stringify(b)}`);
  }

  /**
   * Prefix properties of one message: each strict prefix of a parsed message is incomplete, and a
   * rejection, once decided at some length, stays the same rejection for every longer prefix.
   */
  checkPrefixes(stage: Stage, buf: Buffer, final: ParseResult<unknown>): void {
    const end = final.status === 'ok' ? final.consumed : buf.length;
    let decided: string | undefined;
    for (let k = 0; k < end; k++) {
      const r = this.parse(stage, buf.subarray(0, k));
      if (final.status === 'ok' || final.status === 'incomplete') {
        if (r.status !== 'incomplete') this.fail(`${stage}: prefix of ${k} bytes of ${buf.toString('hex')} is ${r.status}`);
      } else if (r.status === 'error') {
        decided ??= r.code;
        if (r.code !== decided || r.code !== final.code) this.fail(`${stage}: rejection changed from ${decided} to ${r.code} at ${k} bytes`);
      } else if (decided !== undefined || r.status === 'ok') {
        this.fail(`${stage}: ${r.status} at ${k} bytes after deciding ${decided}`);
      }
    }
  }
}

function summarize(r: ParseResult<unknown>): string {
  if (r.status === 'incomplete') return 'incomplete';
  if (r.status === 'error') return `error ${r.code} ${r.reply?.toString('hex') ?? '-'}`;
  const v = r.value as Record<string, unknown>;
  const methods = v.methods instanceof Uint8Array ? Buffer.from(v.methods).toString('hex') : undefined;
  return `ok ${r.consumed} ${methods ?? JSON.stringify(v)}`;
}

/** Server-side stage machine over chunked input; returns the outcome log. */
function serve(check: Checker, input: Buffer, chunks: readonly number[], deep: boolean): string {
  let log = '';
  let stage: Stage | 'done' = 'greeting';
  let pending: Buffer = Buffer.alloc(0);
  let offset = 0;
  for (const size of chunks) {
    pending = pending.length === 0 ? input.subarray(offset, offset + size) : Buffer.concat([pending, input.subarray(offset, offset + size)]);
    offset += size;
    while (stage !== 'done') {
      const r = check.parse(stage, pending);
      if (r.status === 'incomplete') break;
      log += `${stage}: ${summarize(r)}\n`;
      if (deep) check.checkPrefixes(stage, pending, r);
      if (r.status === 'error') {
        stage = 'done';
        break;
      }
      pending = pending.subarray(r.consumed);
      if (stage === 'greeting') {
        const { methods } = r.value as { methods: Uint8Array };
        stage = methods.includes(Method.UserPass) ? 'userpass' : methods.includes(Method.NoAuth) ? 'request' : 'done';
      } else {
        stage = stage === 'userpass' ? 'request' : 'done';
      }
    }
    if (stage === 'done') break;
  }
  if (stage !== 'done') {
    log += `${stage}: eof with ${pending.length} bytes\n`;
    if (deep) check.checkPrefixes(stage, pending, check.parse(stage, pending));
  }
  return log;
}

function runUdp(check: Checker, input: Buffer, deep: boolean): string {
  const r = check.timed('parseUdpHeader', input, parseUdpHeader);
  const where = (): string => `udp on ${input.toString('hex')}`;
  if ((r.status as string) === 'incomplete') check.fail(`${where()}: UDP parse returned incomplete`);
  if (r.status === 'error') {
    check.checkError(where, r.code, r.message, r.reply);
    if (r.reply !== undefined) check.fail(`${where()}: UDP rejection has a reply`);
    return `udp: error ${r.code}\n`;
  }
  const { frag, address, port, dataOffset } = r.value;
  if (dataOffset !== r.consumed || dataOffset > input.length || dataOffset < 8) check.fail(`${where()}: dataOffset ${dataOffset}`);
  if (frag !== input[2]) check.fail(`${where()}: frag ${frag}`);
  check.checkAddress(where, input, 3, dataOffset, address, port);
  const again = check.timed('parseUdpHeader', Buffer.concat([Buffer.alloc(3), check.reencode(where, address, port)]), parseUdpHeader);
  if (again.status !== 'ok') check.fail(`${where()}: re-encoded header does not parse: ${JSON.stringify(again)}`);
  check.checkReparsed(where, address, port, again.value.address, again.value.port);
  if (deep) {
    // A datagram cut anywhere inside a good header is truncated, never anything else.
    for (let k = 0; k < dataOffset; k++) {
      const cut = check.timed('parseUdpHeader', input.subarray(0, k), parseUdpHeader);
      if (cut.status !== 'error' || cut.code !== SocksErrorCode.UdpTruncated) check.fail(`${where()}: first ${k} bytes gave ${JSON.stringify(cut)}`);
    }
  }
  return `udp: ok ${frag} ${dataOffset} ${JSON.stringify(address)} ${port}\n`;
}

/**
 * Runs one case and returns a digest of every outcome. For handshakes the chunked delivery must
 * produce exactly the same outcomes as the whole input delivered at once.
 */
export function runFuzzCase(c: FuzzCase, options: FuzzOptions = {}): string {
  const check = new Checker(c.input, options);
  if (c.kind === 'udp') return runUdp(check, c.input, options.deep ?? false);
  const whole = serve(check, c.input, c.input.length === 0 ? [] : [c.input.length], options.deep ?? false);
  if (c.chunks.length > 1) {
    const chunked = serve(check, c.input, c.chunks, false);
    if (chunked !== whole) check.fail(`chunked delivery ${JSON.stringify(c.chunks)} gave\n${chunked}instead of\n${whole}`);
  }
  return whole;
}
