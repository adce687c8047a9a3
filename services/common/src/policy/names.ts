/**
 * Object, group, user and rule names: DNS-1123-subdomain-like, as Kubernetes object names,
 * so the same names work as CRD object names and in metric labels.
 */
export const NAME_PATTERN = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;
export const NAME_MAX_LENGTH = 253;

/** Kubernetes namespaces are DNS-1123 labels. */
export const NAMESPACE_PATTERN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
export const NAMESPACE_MAX_LENGTH = 63;

/** Returns an error message, or undefined when `s` is a valid name. */
export function checkName(s: string): string | undefined {
  if (s === '') return 'must not be empty';
  if (s.length > NAME_MAX_LENGTH) return `name is ${s.length} characters long; the limit is ${NAME_MAX_LENGTH}`;
  if (NAME_PATTERN.test(s)) return undefined;
  const lower = s.toLowerCase();
  const hint = lower !== s && NAME_PATTERN.test(lower) ? `; did you mean ${JSON.stringify(lower)}?` : '';
  return `${JSON.stringify(s)} is not a valid name: use lower-case letters, digits, "-" and ".", starting and ending with a letter or digit${hint}`;
}

export function checkNamespace(s: string): string | undefined {
  if (s === '') return 'must not be empty';
  if (s.length > NAMESPACE_MAX_LENGTH) return `namespace is ${s.length} characters long; the limit is ${NAMESPACE_MAX_LENGTH}`;
  if (NAMESPACE_PATTERN.test(s)) return undefined;
  return `${JSON.stringify(s)} is not a valid namespace: use lower-case letters, digits and "-", starting and ending with a letter or digit`;
}
