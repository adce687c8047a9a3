/**
 * Finds the SNI in a TLS ClientHello (RFC 8446 section 4.1.2, RFC 6066 section 3), reading the
 * handshake message across as many TLS records as it was split into. Never throws; every
 * length is checked against what is there.
 */
const CONTENT_HANDSHAKE = 0x16;
const HANDSHAKE_CLIENT_HELLO = 0x01;
const EXT_SERVER_NAME = 0x0000;
const NAME_TYPE_HOST = 0x00;
const RECORD_HEADER = 5;
/** Largest handshake message we will reassemble; a ClientHello is far smaller. */
const MAX_HELLO = 1 << 16;

export type TlsHelloResult = { status: 'ok'; serverName?: string } | { status: 'incomplete' } | { status: 'not-tls' };

export function parseTlsClientHello(data: Buffer): TlsHelloResult {
  // Reassemble the handshake bytes carried by consecutive handshake records.
  const parts: Buffer[] = [];
  let have = 0;
  let need = -1;
  let off = 0;
  while (need < 0 || have < need) {
    if (data.length < off + RECORD_HEADER) return incompleteOrNot(data, off);
    const type = data[off] as number;
    const major = data[off + 1] as number;
    const len = data.readUInt16BE(off + 3);
    if (type !== CONTENT_HANDSHAKE || major !== 3 || len === 0 || len > 16384 + 2048) return { status: 'not-tls' };
    const body = data.subarray(off + RECORD_HEADER, off + RECORD_HEADER + len);
    parts.push(body);
    have += body.length;
    if (need < 0 && have >= 4) {
      const hs = parts.length === 1 ? body : Buffer.concat(parts);
      if (hs[0] !== HANDSHAKE_CLIENT_HELLO) return { status: 'not-tls' };
      need = 4 + hs.readUIntBE(1, 3);
      if (need > MAX_HELLO) return { status: 'not-tls' };
    }
    if (body.length < len) return { status: 'incomplete' };
    off += RECORD_HEADER + len;
  }
  const hello = Buffer.concat(parts).subarray(4, need);
  return parseHelloBody(hello);
}

function incompleteOrNot(data: Buffer, off: number): TlsHelloResult {
  // A partial record header: plausible so far?
  const rest = data.subarray(off);
  if (rest.length >= 1 && rest[0] !== CONTENT_HANDSHAKE) return { status: 'not-tls' };
  if (rest.length >= 2 && rest[1] !== 3) return { status: 'not-tls' };
  return { status: 'incomplete' };
}

function parseHelloBody(b: Buffer): TlsHelloResult {
  let p = 2 + 32; // legacy_version, random
  if (b.length < p + 1) return { status: 'not-tls' };
  p += 1 + (b[p] as number); // session id
  if (b.length < p + 2) return { status: 'not-tls' };
  p += 2 + b.readUInt16BE(p); // cipher suites
  if (b.length < p + 1) return { status: 'not-tls' };
  p += 1 + (b[p] as number); // compression methods
  if (b.length === p) return { status: 'ok' }; // no extensions
  if (b.length < p + 2) return { status: 'not-tls' };
  const end = p + 2 + b.readUInt16BE(p);
  p += 2;
  if (end > b.length) return { status: 'not-tls' };
  while (p + 4 <= end) {
    const type = b.readUInt16BE(p);
    const len = b.readUInt16BE(p + 2);
    p += 4;
    if (p + len > end) return { status: 'not-tls' };
    if (type === EXT_SERVER_NAME) return { status: 'ok', ...serverName(b.subarray(p, p + len)) };
    p += len;
  }
  return { status: 'ok' };
}

function serverName(ext: Buffer): { serverName?: string } {
  if (ext.length < 2) return {};
  const end = Math.min(ext.length, 2 + ext.readUInt16BE(0));
  let p = 2;
  while (p + 3 <= end) {
    const type = ext[p] as number;
    const len = ext.readUInt16BE(p + 1);
    p += 3;
    if (p + len > end) return {};
    if (type === NAME_TYPE_HOST) {
      const name = ext.subarray(p, p + len).toString('latin1');
      // A DNS name in ASCII; anything else (NUL, spaces, non-ASCII) is not used for matching.
      return /^[A-Za-z0-9._-]{1,253}$/.test(name) ? { serverName: name.toLowerCase().replace(/\.$/, '') } : {};
    }
    p += len;
  }
  return {};
}
