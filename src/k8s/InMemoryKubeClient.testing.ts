import { randomUUID } from 'node:crypto';
import type { ApiRequest } from './ApiRequest.js';
import { KubeApiError } from './KubeApiError.js';
import type { KubeClient, KubeList, WatchEventType, WatchOptions } from './KubeClient.js';
import type { KubeObject } from './KubeObject.js';
import type { KubeResource } from './KubeResource.js';

type Stored = Record<string, unknown> & { metadata: { -readonly [K in keyof KubeObject['metadata']]: KubeObject['metadata'][K] } };
type Watcher = { resource: KubeResource; namespace: string | undefined; selector: string | undefined; onEvent: (type: WatchEventType, object: KubeObject) => void };

/**
 * An in-memory KubeClient for unit tests of the operator and of k8s/ helpers: resourceVersions,
 * 409 on create-exists and on stale conditional writes, the status subresource split,
 * generation bumps on spec changes, equality label selectors, uid preconditions, cascade
 * deletion by ownerReference, and watches. `failNext` injects errors. It is no API server:
 * the integration tests run the operator against the stand-in in test/k8s/.
 */
export class InMemoryKubeClient implements KubeClient {
  readonly objects = new Map<string, Stored>();
  readonly requests: ApiRequest[] = [];
  #version = 0;
  readonly #watchers = new Set<Watcher>();
  readonly #faults: { verb: ApiRequest['verb']; resource: string; error: KubeApiError }[] = [];

  /** The next `verb` on `resource` (e.g. 'sparkjobs/status') fails with this status. */
  failNext(verb: ApiRequest['verb'], resource: string, status: number, reason: string): void {
    this.#faults.push({ verb, resource, error: new KubeApiError(status, reason, `injected ${status} ${reason} on ${verb} ${resource}`) });
  }

  /** The objects of a resource, sorted by name. */
  all<T extends KubeObject>(resource: KubeResource<T>, namespace?: string): T[] {
    return [...this.objects.entries()]
      .filter(([key]) => key.startsWith(`${resource.group}/${resource.plural}/${namespace ?? ''}`))
      .map(([, o]) => structuredClone(o) as unknown as T)
      .sort((a, b) => (a.metadata.name ?? '').localeCompare(b.metadata.name ?? ''));
  }

  async get<T extends KubeObject>(resource: KubeResource<T>, namespace: string | undefined, name: string, subresource?: 'status'): Promise<T | undefined> {
    this.#enter('get', resource, namespace, subresource);
    const found = this.objects.get(keyOf(resource, namespace, name));
    return found === undefined ? undefined : (structuredClone(found) as unknown as T);
  }

  async list<T extends KubeObject>(resource: KubeResource<T>, namespace: string | undefined, options: { readonly labelSelector?: string } = {}): Promise<KubeList<T>> {
    this.#enter('list', resource, namespace);
    const items = this.all(resource, namespace).filter((o) => matches(o, options.labelSelector));
    return { items, resourceVersion: String(this.#version) };
  }

  async create<T extends KubeObject>(resource: KubeResource<T>, namespace: string | undefined, body: T): Promise<T> {
    this.#enter('create', resource, namespace);
    const name = body.metadata.name ?? '';
    const key = keyOf(resource, namespace, name);
    if (this.objects.has(key)) throw new KubeApiError(409, 'AlreadyExists', `${resource.plural} "${name}" already exists`);
    const stored = structuredClone(body) as unknown as Stored;
    stored.metadata = {
      ...body.metadata,
      ...(namespace === undefined ? {} : { namespace }),
      uid: randomUUID(),
      resourceVersion: String(++this.#version),
      generation: 1,
      creationTimestamp: new Date().toISOString(),
    };
    this.objects.set(key, stored);
    this.#notify(resource, 'ADDED', stored);
    return structuredClone(stored) as unknown as T;
  }

  async replace<T extends KubeObject>(resource: KubeResource<T>, namespace: string | undefined, name: string, body: T, subresource?: 'status'): Promise<T> {
    this.#enter('update', resource, namespace, subresource);
    return this.#write(resource, namespace, name, body.metadata.resourceVersion, () => structuredClone(body) as unknown as Stored, subresource);
  }

  async mergePatch<T extends KubeObject>(resource: KubeResource<T>, namespace: string | undefined, name: string, patch: Record<string, unknown>, subresource?: 'status'): Promise<T> {
    this.#enter('patch', resource, namespace, subresource);
    const rv = (patch['metadata'] as { resourceVersion?: string } | undefined)?.resourceVersion;
    return this.#write(resource, namespace, name, rv, (current) => mergePatch(current, patch) as Stored, subresource);
  }

  async delete(resource: KubeResource, namespace: string | undefined, name: string, options: { readonly uid?: string } = {}): Promise<boolean> {
    this.#enter('delete', resource, namespace);
    const key = keyOf(resource, namespace, name);
    const found = this.objects.get(key);
    if (found === undefined || (options.uid !== undefined && found.metadata.uid !== options.uid)) return false;
    this.objects.delete(key);
    this.#notify(resource, 'DELETED', found);
    // Cascade: delete what it owns (the garbage collector does this on a real cluster).
    for (const [otherKey, other] of [...this.objects]) {
      if (other.metadata.ownerReferences?.some((o) => o.uid === found.metadata.uid) === true) {
        this.objects.delete(otherKey);
        const [group, plural] = otherKey.split('/');
        this.#notify({ group: group ?? '', plural: plural ?? '' }, 'DELETED', other);
      }
    }
    return true;
  }

  async watch<T extends KubeObject>(
    resource: KubeResource<T>,
    namespace: string | undefined,
    options: WatchOptions,
    onEvent: (type: WatchEventType, object: T) => void,
    signal: AbortSignal,
  ): Promise<void> {
    this.#enter('watch', resource, namespace);
    if (signal.aborted) return;
    const watcher: Watcher = { resource, namespace, selector: options.labelSelector, onEvent: onEvent as Watcher['onEvent'] };
    this.#watchers.add(watcher);
    await new Promise<void>((resolve) => {
      signal.addEventListener('abort', () => resolve(), { once: true });
      this.#closers.add(resolve);
    });
    this.#watchers.delete(watcher);
  }

  readonly #closers = new Set<() => void>();

  /** Ends every open watch, as a server does when its watch timeout passes. */
  closeWatches(): void {
    for (const close of this.#closers) close();
    this.#closers.clear();
  }

  #write<T>(resource: KubeResource, namespace: string | undefined, name: string, rv: string | undefined, next: (current: Stored) => Stored, subresource: 'status' | undefined): T {
    const key = keyOf(resource, namespace, name);
    const current = this.objects.get(key);
    if (current === undefined) throw new KubeApiError(404, 'NotFound', `${resource.plural} "${name}" not found`);
    if (rv !== undefined && rv !== current.metadata.resourceVersion) {
      throw new KubeApiError(409, 'Conflict', `Operation cannot be fulfilled on ${resource.plural} "${name}": the object has been modified`);
    }
    const proposed = next(structuredClone(current));
    // The status subresource changes only status; the main resource changes everything else.
    const result: Stored = subresource === 'status' ? { ...current, status: proposed['status'] } : { ...proposed, metadata: proposed.metadata };
    if (subresource === undefined) {
      if ('status' in current) result['status'] = current['status'];
      else delete result['status'];
    }
    const specChanged = subresource === undefined && JSON.stringify(proposed['spec']) !== JSON.stringify(current['spec']);
    result.metadata = {
      ...(subresource === 'status' ? current.metadata : proposed.metadata),
      uid: current.metadata.uid ?? '',
      creationTimestamp: current.metadata.creationTimestamp ?? '',
      resourceVersion: String(++this.#version),
      generation: (current.metadata.generation ?? 1) + (specChanged ? 1 : 0),
    };
    this.objects.set(key, result);
    this.#notify(resource, 'MODIFIED', result);
    return structuredClone(result) as unknown as T;
  }

  #enter(verb: ApiRequest['verb'], resource: KubeResource, namespace: string | undefined, subresource?: string): void {
    const name = subresource === undefined ? resource.plural : `${resource.plural}/${subresource}`;
    this.requests.push({ verb, apiGroup: resource.group, resource: name, namespace });
    const fault = this.#faults.findIndex((f) => f.verb === verb && f.resource === name);
    if (fault !== -1) throw this.#faults.splice(fault, 1)[0]!.error;
  }

  #notify(resource: Pick<KubeResource, 'group' | 'plural'>, type: WatchEventType, object: Stored): void {
    for (const w of this.#watchers) {
      if (w.resource.group !== resource.group || w.resource.plural !== resource.plural) continue;
      if (w.namespace !== undefined && w.namespace !== object.metadata.namespace) continue;
      if (!matches(object, w.selector)) continue;
      w.onEvent(type, structuredClone(object));
    }
  }
}

function keyOf(resource: Pick<KubeResource, 'group' | 'plural'>, namespace: string | undefined, name: string): string {
  return `${resource.group}/${resource.plural}/${namespace ?? ''}/${name}`;
}

/** Equality (`k=v`), inequality (`k!=v`) and existence (`k`) terms, comma-separated. */
function matches(object: KubeObject, selector: string | undefined): boolean {
  if (selector === undefined || selector === '') return true;
  const labels = object.metadata.labels ?? {};
  return selector.split(',').every((term) => {
    const ne = term.indexOf('!=');
    if (ne !== -1) return labels[term.slice(0, ne)] !== term.slice(ne + 2);
    const eq = term.indexOf('=');
    if (eq !== -1) return labels[term.slice(0, eq)] === term.slice(eq + 1).replace(/^=/, '');
    return term in labels;
  });
}

/** RFC 7386. */
function mergePatch(target: unknown, patch: unknown): unknown {
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) return patch;
  const result: Record<string, unknown> = target !== null && typeof target === 'object' && !Array.isArray(target) ? { ...(target as Record<string, unknown>) } : {};
  for (const [k, v] of Object.entries(patch as Record<string, unknown>)) {
    if (v === null) delete result[k];
    else result[k] = mergePatch(result[k], v);
  }
  return result;
}
