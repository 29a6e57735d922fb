import { KubeApiError } from './KubeApiError.js';
import type { KubeClient } from './KubeClient.js';
import type { KubeObject } from './KubeObject.js';
import type { KubeResource } from './KubeResource.js';

/**
 * Creates an object with a deterministic name, or returns the one that exists already (a 409
 * means an earlier reconcile, or another writer, made it): creating is then idempotent.
 * `created` says which.
 */
export async function createOrGet<T extends KubeObject>(client: KubeClient, resource: KubeResource<T>, namespace: string, body: T): Promise<{ object: T; created: boolean }> {
  const name = body.metadata.name ?? '';
  try {
    return { object: await client.create(resource, namespace, body), created: true };
  } catch (error) {
    if (!KubeApiError.isConflict(error)) throw error;
    const existing = await client.get(resource, namespace, name);
    // Deleted between our create and get: the caller's next reconcile creates it again.
    if (existing === undefined) throw new KubeApiError(409, 'Conflict', `${resource.kind} ${namespace}/${name} existed and is now gone; will retry`, { cause: error });
    return { object: existing, created: false };
  }
}
