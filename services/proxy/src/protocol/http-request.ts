/**
 * Recognises an HTTP/1.x request head: `METHOD SP request-target SP HTTP/1.x CRLF` then header
 * lines up to an empty line; returns the Host header's name (port and IPv6 brackets removed).
 */
const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'CONNECT', 'OPTIONS', 'TRACE', 'PATCH', 'PROPFIND', 'PROPPATCH', 'MKCOL', 'COPY', 'MOVE', 'LOCK', 'UNLOCK', 'PRI'];
const REQUEST_LINE = /^([A-Z]+) (\S+) HTTP\/1\.[01]$/;
const MAX_LINE = 8192;

export type HttpHeadResult = { status: 'ok'; host?: string } | { status: 'incomplete' } | { status: 'not-http' };

export function parseHttpRequestHead(data: Buffer, final: boolean): HttpHeadResult {
  const text = data.subarray(0, 64 * 1024).toString('latin1');
  const eol = text.indexOf('\r\n');
  if (eol < 0) {
    // Still inside the request line: is it a plausible start?
    const sp = text.indexOf(' ');
    const method = sp < 0 ? text : text.slice(0, sp);
    if (!METHODS.some((m) => (sp < 0 ? m.startsWith(method) : m === method))) return { status: 'not-http' };
    if (text.length > MAX_LINE || /[\r\n\0]/.test(text.replace(/\r$/, ''))) return { status: 'not-http' };
    return { status: 'incomplete' };
  }
  const m = REQUEST_LINE.exec(text.slice(0, eol));
  if (m === null || !METHODS.includes(m[1] as string)) return { status: 'not-http' };
  const headEnd = text.indexOf('\r\n\r\n');
  const lines = text.slice(eol + 2, headEnd < 0 ? text.lastIndexOf('\r\n') : headEnd).split('\r\n');
  let host: string | undefined;
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon > 0 && line.slice(0, colon).toLowerCase() === 'host') {
      host = hostName(line.slice(colon + 1).trim());
      break;
    }
  }
  if (host === undefined && headEnd < 0 && !final) return { status: 'incomplete' };
  // Absolute-form target (proxy-style requests) names the host too.
  if (host === undefined) {
    const abs = /^https?:\/\/([^/?#]+)/i.exec(m[2] as string);
    if (abs !== null) host = hostName(abs[1] as string);
  }
  return host === undefined ? { status: 'ok' } : { status: 'ok', host };
}

function hostName(authority: string): string | undefined {
  let h = authority.replace(/^[^@]*@/, '');
  if (h.startsWith('[')) {
    const close = h.indexOf(']');
    h = close < 0 ? '' : h.slice(1, close);
  } else {
    h = h.replace(/:\d*$/, '');
  }
  h = h.toLowerCase().replace(/\.$/, '');
  return /^[a-z0-9._:-]{1,253}$/.test(h) ? h : undefined;
}
