import type { KubeObject } from './KubeObject.js';

/**
 * A kind of object in the API: enough to build its URLs and to name it in RBAC rules.
 * `T` is the object's type, so that client calls are typed by the resource they name.
 */
export interface KubeResource<T extends KubeObject = KubeObject> {
  /** '' for the core group. */
  readonly group: string;
  readonly version: string;
  readonly plural: string;
  readonly kind: string;
  readonly namespaced: boolean;
  /** Never set: carries the object type. */
  readonly __type?: T;
}
