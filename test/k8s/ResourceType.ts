// What the stand-in knows about one kind of object: its REST names, scope and the rules its
// storage applies (status subresource, schema, allowed field selectors, defaults).
import type { StructuralSchema } from './StructuralSchema.js';

export type KubeObject = Record<string, unknown> & {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta;
};

export interface ObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  deletionGracePeriodSeconds?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  finalizers?: string[];
  ownerReferences?: OwnerReference[];
  [key: string]: unknown;
}

export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

export interface PrinterColumn {
  name: string;
  type: string;
  jsonPath: string;
  description?: string;
  priority?: number;
  format?: string;
}

export interface ResourceType {
  /** '' for the core group. */
  group: string;
  version: string;
  plural: string;
  singular: string;
  kind: string;
  listKind: string;
  namespaced: boolean;
  shortNames: string[];
  categories: string[];
  /** Subresources served besides the object itself, e.g. 'status', 'binding', 'log', 'eviction'. */
  subresources: string[];
  /** Spec and status are separated: updates of the object ignore status, `/status` ignores the rest. */
  statusSubresource: boolean;
  /** A custom resource (registered from a CRD): schema-validated, pruned, defaulted. */
  custom: boolean;
  schema: StructuralSchema | undefined;
  printerColumns: PrinterColumn[];
  /** Field selector labels besides metadata.name and metadata.namespace. */
  selectableFields: string[];
  /** Names must be a DNS-1123 label (namespaces) rather than a subdomain. */
  nameIsLabel: boolean;
}

export function apiVersionOf(type: ResourceType): string {
  return type.group ? `${type.group}/${type.version}` : type.version;
}

/** `pods`, `sparkjobs.kuberdd.io`: how error messages name the resource. */
export function qualifiedResource(type: ResourceType): string {
  return type.group ? `${type.plural}.${type.group}` : type.plural;
}

/** `Pod`, `SparkJob.kuberdd.io`: how 422 messages name the kind. */
export function qualifiedKind(type: ResourceType): string {
  return type.group ? `${type.kind}.${type.group}` : type.kind;
}

/** Storage key of a type, independent of version (a group/resource holds one set of objects). */
export function typeKey(type: ResourceType): string {
  return `${type.group}/${type.plural}`;
}
