export * from './types';
export { validateObject, type ValidateOptions } from './validate';
export { loadPolicyText, type LoadOptions, type LoadResult } from './load-yaml';
export { loadPolicyPaths, type LoadPathsResult } from './load-paths';
export { assemblePolicySnapshot } from './snapshot';
export { parsePortRange, PORT_MIN, PORT_MAX, type PortRange } from './ports';
export { parseDestination, checkDomain, type Destination } from './destinations';
export { checkName, NAME_PATTERN, NAME_MAX_LENGTH } from './names';
export { DEFAULT_PRIORITY, PRIORITY_MIN, PRIORITY_MAX, isPolicyKind } from './object-schema';
