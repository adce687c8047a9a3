/** What the relay port knows about associations and relays (the sockscale.relay.v1 shapes). */
export interface EndpointInfo {
  host: string;
  port: number;
}

export interface AssociationInfo {
  /** The owner's session id. */
  id: string;
  /** Relay (node) id of the owner. */
  owner: string;
  /** '' = anonymous. */
  user: string;
  /** Client IP as the owner saw it on TCP; port 0 = not announced (learned from the first datagram). */
  client: EndpointInfo;
  /** DST.ADDR:DST.PORT of the request as sent. */
  expected: EndpointInfo;
  createdUnixMs: number;
}

export interface RelayInfo {
  id: string;
  mode: string;
  advertised: EndpointInfo[];
  internal: EndpointInfo;
}

export type RegistryUpdate =
  | { type: 'reset'; relays: RelayInfo[]; associations: AssociationInfo[] }
  | { type: 'association'; association: AssociationInfo }
  | { type: 'association-removed'; key: string }
  | { type: 'relay'; relay: RelayInfo }
  | { type: 'relay-removed'; id: string };

export function associationKeyOf(a: { owner: string; id: string }): string {
  return `${a.owner}/${a.id}`;
}

/** The registry as the relay port uses it; RegistryClient is the gRPC implementation. */
export interface RelayRegistryPort {
  /** Records an association; resolves once recorded or after a short deadline (never rejects). */
  associate(a: AssociationInfo): Promise<void>;
  dissociate(a: { owner: string; id: string }): void;
  /** Follows associations (shared mode); the first update is a reset. */
  follow(listener: (u: RegistryUpdate) => void): () => void;
  /** Associations recorded for one client IP (on a cache miss). */
  lookup(clientHost: string): Promise<AssociationInfo[]>;
  close(): Promise<void>;
}
