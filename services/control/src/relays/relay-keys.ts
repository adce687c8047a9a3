/**
 * etcd keys of the relay registry (the README copies this table):
 *
 *   /sockscale/v1/relays/endpoints/<relay id>              RelayRecord JSON, under the relay's lease
 *   /sockscale/v1/relays/associations/<relay id>/<id>      AssociationRecord JSON, same lease
 *
 * Relay writes never touch /sockscale/v1/meta/policy-revision, so they do not bump the policy
 * snapshot version.
 */
import { KEY_PREFIX } from '../store/key-layout';

export const RELAYS_PREFIX = `${KEY_PREFIX}relays/`;
export const RELAY_ENDPOINTS_PREFIX = `${RELAYS_PREFIX}endpoints/`;
export const RELAY_ASSOCIATIONS_PREFIX = `${RELAYS_PREFIX}associations/`;

export function relayKey(id: string): string {
  return `${RELAY_ENDPOINTS_PREFIX}${id}`;
}

export function associationPath(owner: string, id: string): string {
  return `${RELAY_ASSOCIATIONS_PREFIX}${owner}/${id}`;
}

/** A key under RELAYS_PREFIX -> what it names, or undefined for foreign keys. */
export function parseRelayKey(key: string): { kind: 'relay'; id: string } | { kind: 'association'; key: string } | undefined {
  if (key.startsWith(RELAY_ENDPOINTS_PREFIX)) {
    const id = key.slice(RELAY_ENDPOINTS_PREFIX.length);
    return id === '' || id.includes('/') ? undefined : { kind: 'relay', id };
  }
  if (key.startsWith(RELAY_ASSOCIATIONS_PREFIX)) {
    const rest = key.slice(RELAY_ASSOCIATIONS_PREFIX.length);
    const parts = rest.split('/');
    return parts.length === 2 && parts.every((p) => p !== '') ? { kind: 'association', key: rest } : undefined;
  }
  return undefined;
}
