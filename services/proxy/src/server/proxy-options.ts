/** Tunables of the data plane. Every value has a production default (see DEFAULT_PROXY_OPTIONS). */
export interface ProxyOptions {
  /** SOCKS listener. */
  listenHost: string;
  listenPort: number;
  /** Whole greeting + auth + request must arrive within this (slowloris guard). */
  handshakeTimeoutMs: number;
  /** Outbound TCP connect (and DNS) deadline; expiry answers 0x06 TTL expired. */
  connectTimeoutMs: number;
  /** A session with no bytes in either direction for this long is closed. 0 disables. */
  idleTimeoutMs: number;
  /** How long a BIND waits for the incoming peer. */
  bindTimeoutMs: number;
  /** Concurrent client connections; above it new connections are closed at once. */
  maxConnections: number;
  /** On shutdown, open sessions get this long to finish before they are cut. */
  drainTimeoutMs: number;
  /** Positive / negative DNS cache lifetimes and size (UDP and CONNECT by name). */
  dnsCacheTtlMs: number;
  dnsNegativeTtlMs: number;
  dnsCacheSize: number;
  /** Largest UDP payload relayed (bytes after the SOCKS header). */
  udpMaxDatagram: number;
  /** Protocol detection: most client bytes read before deciding (a whole TLS record fits). */
  protocolPeekBytes: number;
  /** Protocol detection: deadline for the client's first bytes; then the protocol is `unknown`. */
  protocolPeekTimeoutMs: number;
}

export const DEFAULT_PROXY_OPTIONS: ProxyOptions = {
  listenHost: '127.0.0.1',
  listenPort: 1080,
  handshakeTimeoutMs: 10_000,
  connectTimeoutMs: 10_000,
  idleTimeoutMs: 600_000,
  bindTimeoutMs: 60_000,
  maxConnections: 20_000,
  drainTimeoutMs: 30_000,
  dnsCacheTtlMs: 30_000,
  dnsNegativeTtlMs: 5_000,
  dnsCacheSize: 4096,
  udpMaxDatagram: 65_507,
  protocolPeekBytes: 16_389,
  protocolPeekTimeoutMs: 1000,
};
