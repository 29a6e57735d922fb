// In-memory storage of every object, with one global, monotonically increasing resourceVersion
// (as etcd's revision) and a bounded per-type history of changes that watches replay from.
import type { KubeObject } from './ResourceType.js';

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface StoredEvent {
  type: WatchEventType;
  resourceVersion: number;
  object: KubeObject;
  /** The object before this change (MODIFIED/DELETED), so selector watches can turn it into ADDED/DELETED. */
  previous: KubeObject | undefined;
}

export interface StoreSubscriber {
  onEvent(event: StoredEvent): void;
}

interface TypeState {
  objects: Map<string, KubeObject>;
  history: StoredEvent[];
  /** Changes at or below this resourceVersion are no longer in `history`. */
  compactedThrough: number;
  subscribers: Set<StoreSubscriber>;
}

export interface ObjectLocation {
  typeKey: string;
  namespace: string;
  name: string;
}

function objectKey(namespace: string | undefined, name: string): string {
  return `${namespace ?? ''}/${name}`;
}

export class ObjectStore {
  private revision: number;
  private readonly types = new Map<string, TypeState>();
  private readonly byUid = new Map<string, ObjectLocation>();

  constructor(private readonly historySize: number, firstResourceVersion = 1000) {
    this.revision = firstResourceVersion;
  }

  get currentResourceVersion(): number {
    return this.revision;
  }

  private state(typeKey: string): TypeState {
    let state = this.types.get(typeKey);
    if (!state) {
      // A type has no changes before its first one, so nothing is missing yet.
      state = { objects: new Map(), history: [], compactedThrough: 0, subscribers: new Set() };
      this.types.set(typeKey, state);
    }
    return state;
  }

  get(typeKey: string, namespace: string | undefined, name: string): KubeObject | undefined {
    return this.state(typeKey).objects.get(objectKey(namespace, name));
  }

  locate(uid: string): ObjectLocation | undefined {
    return this.byUid.get(uid);
  }

  getByUid(uid: string): KubeObject | undefined {
    const at = this.byUid.get(uid);
    return at ? this.get(at.typeKey, at.namespace || undefined, at.name) : undefined;
  }

  /** Objects of a type, sorted by namespace then name (the order a real list returns). */
  list(typeKey: string, namespace?: string): KubeObject[] {
    const result: KubeObject[] = [];
    for (const object of this.state(typeKey).objects.values()) {
      if (namespace === undefined || object.metadata.namespace === namespace) result.push(object);
    }
    return result.sort((a, b) => objectKey(a.metadata.namespace, a.metadata.name ?? '').localeCompare(objectKey(b.metadata.namespace, b.metadata.name ?? '')));
  }

  /** Every stored object of every type (for the garbage collector). */
  *all(): Iterable<[string, KubeObject]> {
    for (const [typeKey, state] of this.types) for (const object of state.objects.values()) yield [typeKey, object];
  }

  /** Stores a new or changed object, stamping the next resourceVersion on it. */
  put(typeKey: string, object: KubeObject, type: 'ADDED' | 'MODIFIED'): KubeObject {
    const state = this.state(typeKey);
    const key = objectKey(object.metadata.namespace, object.metadata.name ?? '');
    const previous = state.objects.get(key);
    const resourceVersion = ++this.revision;
    object.metadata.resourceVersion = String(resourceVersion);
    Object.freeze(object);
    state.objects.set(key, object);
    if (object.metadata.uid) {
      this.byUid.set(object.metadata.uid, { typeKey, namespace: object.metadata.namespace ?? '', name: object.metadata.name ?? '' });
    }
    this.record(state, { type, resourceVersion, object, previous });
    return object;
  }

  /** Removes an object; the DELETED event carries the object at a new resourceVersion, as on a real server. */
  remove(typeKey: string, object: KubeObject): KubeObject {
    const state = this.state(typeKey);
    const key = objectKey(object.metadata.namespace, object.metadata.name ?? '');
    const previous = state.objects.get(key);
    state.objects.delete(key);
    if (object.metadata.uid) this.byUid.delete(object.metadata.uid);
    const resourceVersion = ++this.revision;
    const deleted = structuredClone(object);
    deleted.metadata.resourceVersion = String(resourceVersion);
    Object.freeze(deleted);
    this.record(state, { type: 'DELETED', resourceVersion, object: deleted, previous });
    return deleted;
  }

  /** Drops every object of a type (a deleted CRD takes its custom resources with it). */
  dropType(typeKey: string): void {
    const state = this.types.get(typeKey);
    if (!state) return;
    for (const object of [...state.objects.values()]) this.remove(typeKey, object);
  }

  private record(state: TypeState, event: StoredEvent): void {
    state.history.push(event);
    if (state.history.length > this.historySize) {
      const dropped = state.history.splice(0, state.history.length - this.historySize);
      state.compactedThrough = (dropped[dropped.length - 1] as StoredEvent).resourceVersion;
    }
    for (const subscriber of state.subscribers) subscriber.onEvent(event);
  }

  /** Events after `resourceVersion`, or 'expired' when some of them have left the history window. */
  eventsSince(typeKey: string, resourceVersion: number): StoredEvent[] | 'expired' {
    const state = this.state(typeKey);
    if (resourceVersion < state.compactedThrough) return 'expired';
    return state.history.filter((e) => e.resourceVersion > resourceVersion);
  }

  /** The oldest resourceVersion a watch of this type can still start from. */
  oldestWatchable(typeKey: string): number {
    return this.state(typeKey).compactedThrough;
  }

  subscribe(typeKey: string, subscriber: StoreSubscriber): () => void {
    const subscribers = this.state(typeKey).subscribers;
    subscribers.add(subscriber);
    return () => subscribers.delete(subscriber);
  }
}
