// Deletes dependents whose owners are gone (ownerReferences), carries out Foreground and Orphan
// propagation, and empties terminating namespaces — asynchronously, like the real controller.
import type { ObjectStore } from './ObjectStore.js';
import type { KubeObject, OwnerReference } from './ResourceType.js';

export interface GarbageCollectorHooks {
  /** Deletes an object with background propagation (graceful for bound pods). */
  deleteObject(typeKey: string, object: KubeObject): void;
  /** Writes a changed object (ownerReferences or finalizers edited). */
  updateObject(typeKey: string, object: KubeObject): void;
  /** Removes an emptied terminating namespace. */
  finishNamespace(namespace: KubeObject): void;
}

export const FOREGROUND = 'foregroundDeletion';
export const ORPHAN = 'orphan';

export class GarbageCollector {
  private scheduled = false;
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly store: ObjectStore,
    private readonly hooks: GarbageCollectorHooks,
  ) {
    // A periodic pass catches what event-driven passes cannot (e.g. pods that finish terminating).
    this.timer = setInterval(() => this.schedule(), 250);
    this.timer.unref();
  }

  /** Runs a collection pass soon (coalescing requests made in the same tick). */
  schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.collect();
    });
  }

  private collect(): void {
    const dependents: Array<[string, KubeObject]> = [];
    const foregroundOwners = new Map<string, [string, KubeObject]>();
    const orphaningOwners: Array<[string, KubeObject]> = [];
    const terminatingNamespaces: KubeObject[] = [];
    for (const [typeKey, object] of this.store.all()) {
      if (object.metadata.ownerReferences?.length) dependents.push([typeKey, object]);
      if (object.metadata.deletionTimestamp) {
        if (object.metadata.finalizers?.includes(FOREGROUND)) foregroundOwners.set(object.metadata.uid ?? '', [typeKey, object]);
        if (object.metadata.finalizers?.includes(ORPHAN)) orphaningOwners.push([typeKey, object]);
        if (typeKey === '/namespaces') terminatingNamespaces.push(object);
      }
    }
    const blocked = new Set<string>();
    for (const [typeKey, object] of dependents) {
      const refs = object.metadata.ownerReferences as OwnerReference[];
      const live = refs.filter((ref) => this.store.getByUid(ref.uid) !== undefined);
      const dyingInForeground = refs.filter((ref) => foregroundOwners.has(ref.uid));
      for (const ref of dyingInForeground) if (ref.blockOwnerDeletion === true) blocked.add(ref.uid);
      if (object.metadata.deletionTimestamp) continue;
      const orphanedBy = refs.filter((ref) => orphaningOwners.some(([, owner]) => owner.metadata.uid === ref.uid));
      if (orphanedBy.length > 0) {
        const copy = structuredClone(object);
        copy.metadata.ownerReferences = refs.filter((ref) => !orphanedBy.includes(ref));
        if (copy.metadata.ownerReferences.length === 0) delete copy.metadata.ownerReferences;
        this.hooks.updateObject(typeKey, copy);
      } else if (live.length === 0 || (dyingInForeground.length > 0 && live.length === dyingInForeground.length)) {
        this.hooks.deleteObject(typeKey, object);
      } else if (live.length < refs.length) {
        const copy = structuredClone(object);
        copy.metadata.ownerReferences = live;
        this.hooks.updateObject(typeKey, copy);
      }
    }
    for (const [uid, [typeKey, owner]] of foregroundOwners) {
      if (!blocked.has(uid)) this.removeFinalizer(typeKey, owner, FOREGROUND);
    }
    for (const [typeKey, owner] of orphaningOwners) {
      const stillOwned = dependents.some(([, d]) => d.metadata.ownerReferences?.some((ref) => ref.uid === owner.metadata.uid));
      if (!stillOwned) this.removeFinalizer(typeKey, owner, ORPHAN);
    }
    for (const namespace of terminatingNamespaces) this.emptyNamespace(namespace);
  }

  private removeFinalizer(typeKey: string, owner: KubeObject, finalizer: string): void {
    const current = this.store.get(typeKey, owner.metadata.namespace, owner.metadata.name ?? '');
    if (!current?.metadata.finalizers?.includes(finalizer)) return;
    const copy = structuredClone(current);
    copy.metadata.finalizers = (copy.metadata.finalizers ?? []).filter((f) => f !== finalizer);
    this.hooks.updateObject(typeKey, copy);
  }

  private emptyNamespace(namespace: KubeObject): void {
    let remaining = 0;
    for (const [typeKey, object] of [...this.store.all()]) {
      if (object.metadata.namespace !== namespace.metadata.name) continue;
      remaining++;
      if (!object.metadata.deletionTimestamp) this.hooks.deleteObject(typeKey, object);
    }
    if (remaining === 0) this.hooks.finishNamespace(namespace);
  }

  [Symbol.dispose](): void {
    clearInterval(this.timer);
  }
}
