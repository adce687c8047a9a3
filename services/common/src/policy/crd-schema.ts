/**
 * CustomResourceDefinitions derived from the policy schema: each kind's spec schema comes from
 * the checkers' SchemaDoc descriptions (object-schema.ts), so the CRDs cannot drift from the
 * validator. `scripts/gen-crds.mjs` (npm run crds:gen) writes them into the Helm chart; a test
 * fails when the chart's copies are stale. To add a kind (SocksQuota): add it to POLICY_KINDS
 * and SPEC_SCHEMAS, then give it an entry in CRD_KINDS (the compiler insists).
 */
import { SPEC_SCHEMAS } from './object-schema';
import type { SchemaDoc } from './schema-walker';
import { API_GROUP, API_VERSION, POLICY_KINDS, type PolicyKind } from './types';

export const CRD_VERSION = API_VERSION.slice(API_GROUP.length + 1);

export interface PrinterColumn {
  name: string;
  type: 'string' | 'integer' | 'number' | 'boolean' | 'date';
  jsonPath: string;
  description?: string;
  priority?: number;
}

/** Per-kind CRD facts that are not part of the object schema. */
export interface CrdKindInfo {
  plural: string;
  singular: string;
  shortNames: string[];
  description: string;
  printerColumns: PrinterColumn[];
  /** Status fields besides `conditions` (written by the controller). */
  statusProperties?: Record<string, SchemaDoc>;
}

const conditionColumn = (type: string, description: string): PrinterColumn => ({
  name: type,
  type: 'string',
  jsonPath: `.status.conditions[?(@.type=="${type}")].status`,
  description,
});
const ACCEPTED = conditionColumn('Accepted', 'The controller validated this generation.');
const PROGRAMMED = conditionColumn('Programmed', 'Every ready proxy applied a snapshot containing this generation.');
const AGE: PrinterColumn = { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' };

export const CRD_KINDS: { [K in PolicyKind]: CrdKindInfo } = {
  SocksPolicy: {
    plural: 'sockspolicies',
    singular: 'sockspolicy',
    shortNames: ['spol'],
    description: 'Who (users, groups, anonymous, client CIDRs) may reach what (commands, destinations, ports) through the sockscale proxies.',
    printerColumns: [
      { name: 'Priority', type: 'integer', jsonPath: '.spec.priority', description: 'Lower runs first.' },
      { name: 'Users', type: 'string', jsonPath: '.spec.subjects.users', priority: 1 },
      { name: 'Groups', type: 'string', jsonPath: '.spec.subjects.groups', priority: 1 },
      ACCEPTED,
      PROGRAMMED,
      AGE,
    ],
  },
  SocksUser: {
    plural: 'socksusers',
    singular: 'socksuser',
    shortNames: ['suser'],
    description: 'A user who logs in to the sockscale proxies with a password (RFC 1929); the password comes from a Secret.',
    printerColumns: [
      { name: 'Groups', type: 'string', jsonPath: '.spec.groups' },
      { name: 'Disabled', type: 'boolean', jsonPath: '.spec.disabled' },
      { name: 'Secret', type: 'string', jsonPath: '.spec.passwordSecretRef.name' },
      ACCEPTED,
      PROGRAMMED,
      AGE,
    ],
  },
  SocksQuota: {
    plural: 'socksquotas',
    singular: 'socksquota',
    shortNames: ['squota'],
    description: 'A byte quota per period (and optional cluster-wide bandwidth and connection limits) for a user or a group, enforced across all sockscale proxies.',
    printerColumns: [
      { name: 'User', type: 'string', jsonPath: '.spec.subject.user' },
      { name: 'Group', type: 'string', jsonPath: '.spec.subject.group' },
      { name: 'Limit', type: 'integer', jsonPath: '.status.limit', description: 'Bytes per period (per member for a PerMember group).' },
      { name: 'Used', type: 'integer', jsonPath: '.status.used', description: 'Bytes used in the current period (PerMember group: the member nearest to the limit).' },
      { name: 'Remaining', type: 'integer', jsonPath: '.status.remaining', description: 'limit - used - outstanding grants.' },
      { name: 'Resets', type: 'string', jsonPath: '.status.resetsAt', description: 'End of the current period.' },
      { name: 'Period', type: 'string', jsonPath: '.spec.period.type', priority: 1 },
      { name: 'Outstanding', type: 'integer', jsonPath: '.status.outstanding', description: 'Granted to proxies, not yet reported as used.', priority: 1 },
      { name: 'Members', type: 'integer', jsonPath: '.status.members', description: 'PerMember group: members with an account.', priority: 1 },
      ACCEPTED,
      PROGRAMMED,
      AGE,
    ],
    statusProperties: quotaStatusProperties(),
  },
};

/** SocksQuota usage, read from the quota ledger by the controller (bytes; times are RFC 3339). */
function quotaStatusProperties(): Record<string, SchemaDoc> {
  const bytes = (description: string): SchemaDoc => ({ type: 'integer', minimum: 0, description });
  const time = (description: string): SchemaDoc => ({ type: 'string', format: 'date-time', description });
  return {
    limit: bytes('Bytes per period (for a PerMember group: per member).'),
    used: bytes('Bytes used in the current period. PerMember group: of the member nearest to the limit (topMembers[0]).'),
    outstanding: bytes('Bytes granted to proxies and not yet reported as used (same account as used).'),
    remaining: bytes('limit - used - outstanding (what can still be granted; same account as used).'),
    periodStart: time('Start of the current period.'),
    resetsAt: time('End of the current period: used returns to 0.'),
    observedAt: time('When the controller read these values from the ledger (values are rewritten only when they change).'),
    members: { type: 'integer', minimum: 0, description: 'PerMember group only: members with an account in this period.' },
    exhaustedMembers: { type: 'integer', minimum: 0, description: 'PerMember group only: members with nothing left to grant.' },
    usedTotal: bytes('PerMember group only: bytes used by all members together.'),
    topMembers: {
      type: 'array',
      description: 'PerMember group only: the members nearest to the limit (least remaining first), at most 10.',
      maxItems: 10,
      items: {
        type: 'object',
        required: ['member', 'used', 'outstanding', 'remaining'],
        properties: {
          member: { type: 'string', maxLength: 253, description: 'User name.' },
          used: bytes('Bytes used by this member in the current period.'),
          outstanding: bytes('Granted to proxies for this member, not yet reported.'),
          remaining: bytes('What can still be granted to this member.'),
        },
      },
    },
  };
}

/** Gateway API / metav1.Condition style conditions (`Accepted`, `Programmed`), keyed by type. */
export const CONDITIONS_SCHEMA: SchemaDoc = {
  type: 'array',
  description: 'Conditions keyed by type: Accepted (the spec is valid) and Programmed (the proxies apply it), each with the generation it describes.',
  maxItems: 8,
  'x-kubernetes-list-type': 'map',
  'x-kubernetes-list-map-keys': ['type'],
  items: {
    type: 'object',
    required: ['type', 'status', 'reason', 'message', 'lastTransitionTime'],
    properties: {
      type: { type: 'string', description: 'Accepted or Programmed.', maxLength: 316, pattern: '^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])$' },
      status: { type: 'string', enum: ['True', 'False', 'Unknown'] },
      reason: { type: 'string', description: 'CamelCase reason, e.g. Accepted, Invalid, Pending.', minLength: 1, maxLength: 1024, pattern: '^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$' },
      message: { type: 'string', description: 'Human-readable detail, e.g. the validation error.', maxLength: 32768 },
      observedGeneration: { type: 'integer', description: 'The metadata.generation this condition describes.', minimum: 0 },
      lastTransitionTime: { type: 'string', format: 'date-time', description: 'When status last changed.' },
    },
  },
};

export const STATUS_SCHEMA: SchemaDoc = {
  type: 'object',
  description: 'Written by the sockscale controller (the control-plane leader); never by users.',
  properties: { conditions: CONDITIONS_SCHEMA },
};

/** A kind's status schema: conditions plus its own fields (SocksQuota usage). */
export function statusSchema(kind: PolicyKind): SchemaDoc {
  const extra = CRD_KINDS[kind].statusProperties;
  return extra === undefined ? STATUS_SCHEMA : { ...STATUS_SCHEMA, properties: { ...STATUS_SCHEMA.properties, ...extra } };
}

/** Throws when part of a schema is not described (a checker built without a SchemaDoc). */
export function assertDescribed(doc: SchemaDoc, path: string): void {
  const typed = doc.type !== undefined || doc['x-kubernetes-int-or-string'] === true;
  if (!typed) {
    throw new Error(`crd-schema: ${path} has no schema description; give its checker a SchemaDoc (schema-walker.ts) so the CRD can publish it`);
  }
  for (const [k, sub] of Object.entries(doc.properties ?? {})) assertDescribed(sub, `${path}.${k}`);
  if (doc.items !== undefined) assertDescribed(doc.items, `${path}[]`);
  if (typeof doc.additionalProperties === 'object') assertDescribed(doc.additionalProperties, `${path}.*`);
}

/** The OpenAPI v3 schema of one kind's spec, checked to be fully described. */
export function specSchema(kind: PolicyKind): SchemaDoc {
  const doc = SPEC_SCHEMAS[kind].schema;
  if (doc === undefined) throw new Error(`crd-schema: SPEC_SCHEMAS.${kind} has no schema description`);
  assertDescribed(doc, `${kind}.spec`);
  return doc;
}

/** The whole CustomResourceDefinition object for `kind` (apiextensions.k8s.io/v1). */
export function crdFor(kind: PolicyKind): Record<string, unknown> {
  const info = CRD_KINDS[kind];
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${info.plural}.${API_GROUP}` },
    spec: {
      group: API_GROUP,
      names: { kind, listKind: `${kind}List`, plural: info.plural, singular: info.singular, shortNames: info.shortNames, categories: ['sockscale'] },
      scope: 'Namespaced',
      versions: [
        {
          name: CRD_VERSION,
          served: true,
          storage: true,
          subresources: { status: {} },
          additionalPrinterColumns: info.printerColumns,
          schema: {
            openAPIV3Schema: {
              type: 'object',
              description: info.description,
              required: ['spec'],
              properties: {
                apiVersion: { type: 'string' },
                kind: { type: 'string' },
                metadata: { type: 'object' },
                spec: specSchema(kind),
                status: statusSchema(kind),
              },
            },
          },
        },
      ],
    },
  };
}

/** Every kind's CRD, in POLICY_KINDS order. */
export function allCrds(): { kind: PolicyKind; plural: string; crd: Record<string, unknown> }[] {
  return POLICY_KINDS.map((kind) => ({ kind, plural: CRD_KINDS[kind].plural, crd: crdFor(kind) }));
}
