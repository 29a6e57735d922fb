import type { KubeObject } from './KubeObject.js';
import type { KubeResource } from './KubeResource.js';

export interface KubeList<T> {
  readonly items: T[];
  readonly resourceVersion: string;
}

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK';

export interface WatchOptions {
  readonly resourceVersion?: string;
  readonly labelSelector?: string;
  readonly allowWatchBookmarks?: boolean;
  /** Asks the server to end the watch after this long; the caller then watches again. */
  readonly timeoutSeconds?: number;
}

/**
 * The Kubernetes API as kuberdd uses it: plain JSON objects, typed by resource. Errors are
 * KubeApiErrors (404 from get/delete is an answer, not an error). HttpKubeClient is the real
 * one; tests of the operator use an in-memory one.
 */
export interface KubeClient {
  /** The object, or undefined if it does not exist. */
  get<T extends KubeObject>(resource: KubeResource<T>, namespace: string | undefined, name: string, subresource?: 'status'): Promise<T | undefined>;
  /** `namespace` undefined lists across all namespaces. */
  list<T extends KubeObject>(resource: KubeResource<T>, namespace: string | undefined, options?: { readonly labelSelector?: string }): Promise<KubeList<T>>;
  /** Throws a 409 KubeApiError when it exists already. */
  create<T extends KubeObject>(resource: KubeResource<T>, namespace: string | undefined, body: T): Promise<T>;
  /** PUT; `body.metadata.resourceVersion` makes it conditional (409 when stale). */
  replace<T extends KubeObject>(resource: KubeResource<T>, namespace: string | undefined, name: string, body: T, subresource?: 'status'): Promise<T>;
  /**
   * A JSON merge patch (RFC 7386). Put `metadata.resourceVersion` in the patch to make it
   * conditional: the server answers 409 when the object changed since.
   */
  mergePatch<T extends KubeObject>(resource: KubeResource<T>, namespace: string | undefined, name: string, patch: Record<string, unknown>, subresource?: 'status'): Promise<T>;
  /** False when it did not exist. `uid` is a precondition: only that incarnation is deleted. */
  delete(resource: KubeResource, namespace: string | undefined, name: string, options?: { readonly uid?: string; readonly propagationPolicy?: 'Background' | 'Foreground' | 'Orphan' }): Promise<boolean>;
  /**
   * Streams changes until the server ends the watch (resolves) or `signal` aborts (resolves).
   * A 410 (the version is too old: relist) or any other failure rejects with a KubeApiError.
   */
  watch<T extends KubeObject>(
    resource: KubeResource<T>,
    namespace: string | undefined,
    options: WatchOptions,
    onEvent: (type: WatchEventType, object: T) => void,
    signal: AbortSignal,
  ): Promise<void>;
}
