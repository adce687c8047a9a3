export { classify, type Classification } from './classify';
export { parseTlsClientHello, type TlsHelloResult } from './tls-client-hello';
export { parseHttpRequestHead, type HttpHeadResult } from './http-request';
export { peekProtocol, DEFAULT_PEEK, type PeekOptions, type PeekResult } from './peek';
