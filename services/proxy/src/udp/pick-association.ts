import type { AssociationInfo } from '../relays/registry-types';

export interface Candidate {
  info: AssociationInfo;
  /** The client port the association is bound to; 0 = still waiting for its first datagram. */
  port: number;
  /** Set for this proxy's own waiting associations. */
  local?: unknown;
}

export type Pick<C extends Candidate> = { result: 'ok'; candidate: C } | { result: 'none' } | { result: 'ambiguous' };

/**
 * Which association a datagram from a client IP and port belongs to, when no association is
 * bound to exactly that address on this proxy. The rules (README "UDP behind load balancers"):
 *
 * 1. An association that names this exact port wins. Several (a client that associated again
 *    before its old TCP session closed): the newest.
 * 2. Otherwise the associations from this IP that did not announce a port (DST 0.0.0.0:0 or port
 *    0) and have not learned one yet. If all belong to the same user, the oldest learns this port
 *    (first come, first bound) — bytes are charged to the right user either way. If they belong
 *    to different users the datagram is dropped as `ambiguous`: relaying it could charge one
 *    user for another's traffic. Clients behind one NAT avoid this by announcing their port.
 * 3. Otherwise none: the datagram is a stranger's.
 */
export function pickAssociation<C extends Candidate>(candidates: readonly C[], port: number): Pick<C> {
  let exact: C | undefined;
  for (const c of candidates) if (c.port === port && port !== 0 && (exact === undefined || c.info.createdUnixMs > exact.info.createdUnixMs)) exact = c;
  if (exact !== undefined) return { result: 'ok', candidate: exact };
  const waiting = candidates.filter((c) => c.port === 0);
  if (waiting.length === 0) return { result: 'none' };
  const user = (waiting[0] as C).info.user;
  if (waiting.some((c) => c.info.user !== user)) return { result: 'ambiguous' };
  let oldest = waiting[0] as C;
  for (const c of waiting) if (c.info.createdUnixMs < oldest.info.createdUnixMs) oldest = c;
  return { result: 'ok', candidate: oldest };
}
