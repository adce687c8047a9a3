import type { Protocol } from '@sockscale/common';
import { parseTlsClientHello } from './tls-client-hello';
import { parseHttpRequestHead } from './http-request';

/**
 * What the first bytes of a CONNECT tunnel say: `incomplete` (need more bytes to be sure), or
 * a protocol with the server name the client asked for (TLS SNI, HTTP Host) when it sent one.
 * `final` asks for the best answer from what is there (size limit reached, deadline passed,
 * client half-closed): a TLS or HTTP start that is cut short still counts as that protocol,
 * without a name.
 */
export type Classification = { status: 'incomplete' } | { status: 'done'; protocol: Protocol; serverName?: string };

const INCOMPLETE: Classification = Object.freeze({ status: 'incomplete' });
const SSH_PREFIXES = ['SSH-2.0-', 'SSH-1.99-'];

export function classify(data: Buffer, final = false): Classification {
  if (data.length === 0) return final ? { status: 'done', protocol: 'unknown' } : INCOMPLETE;
  const first = data[0] as number;
  if (first === 0x16) {
    const r = parseTlsClientHello(data);
    if (r.status === 'ok') return r.serverName === undefined ? { status: 'done', protocol: 'tls' } : { status: 'done', protocol: 'tls', serverName: r.serverName };
    if (r.status === 'incomplete') return final ? { status: 'done', protocol: 'tls' } : INCOMPLETE;
    return { status: 'done', protocol: 'unknown' };
  }
  if (first === 0x53 /* S */) {
    const head = data.subarray(0, 9).toString('latin1');
    for (const p of SSH_PREFIXES) {
      if (head.length >= p.length && head.startsWith(p)) return { status: 'done', protocol: 'ssh' };
      if (head.length < p.length && p.startsWith(head)) return final ? { status: 'done', protocol: 'unknown' } : INCOMPLETE;
    }
    // Could still be an HTTP method starting with S? None of the methods does.
    return { status: 'done', protocol: 'unknown' };
  }
  const h = parseHttpRequestHead(data, final);
  if (h.status === 'ok') return h.host === undefined ? { status: 'done', protocol: 'http' } : { status: 'done', protocol: 'http', serverName: h.host };
  if (h.status === 'incomplete') return final ? { status: 'done', protocol: 'unknown' } : INCOMPLETE;
  return { status: 'done', protocol: 'unknown' };
}
