/**
 * etcd key layout (the README copies this table). Everything lives under one versioned prefix
 * so a later layout can sit beside it.
 *
 *   /sockscale/v1/objects/<Kind>/<name>   one policy object as JSON {apiVersion, kind, metadata, spec}
 *                                         (metadata without generation: generation = mod revision)
 *   /sockscale/v1/meta/policy-revision    written in every policy transaction; its mod revision is
 *                                         the snapshot version, so other writes (quota ledgers,
 *                                         relay leases) never bump the policy version
 *   /sockscale/v1/quota/...               reserved: quota ledgers (usage issue)
 *   /sockscale/v1/relays/...              reserved: relay registry (relay issue)
 */
export const KEY_PREFIX = '/sockscale/v1/';
export const OBJECTS_PREFIX = `${KEY_PREFIX}objects/`;
export const POLICY_REVISION_KEY = `${KEY_PREFIX}meta/policy-revision`;

export function objectKeyPath(kind: string, name: string): string {
  return `${OBJECTS_PREFIX}${kind}/${name}`;
}

/** `/sockscale/v1/objects/Kind/name` -> {kind, name}, or undefined for foreign keys. */
export function parseObjectKeyPath(key: string): { kind: string; name: string } | undefined {
  if (!key.startsWith(OBJECTS_PREFIX)) return undefined;
  const rest = key.slice(OBJECTS_PREFIX.length);
  const slash = rest.indexOf('/');
  if (slash <= 0 || slash === rest.length - 1 || rest.indexOf('/', slash + 1) >= 0) return undefined;
  return { kind: rest.slice(0, slash), name: rest.slice(slash + 1) };
}
