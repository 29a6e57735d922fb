// The REST verbs on stored objects with the real API server's semantics: create (409
// AlreadyExists, generateName), update (409 Conflict on a stale resourceVersion), patch (merge,
// JSON, strategic), the status subresource split, metadata.generation, finalizers and graceful
// deletion, cascading deletion by ownerReference, pods/binding and pods/eviction.
import { randomUUID } from 'node:crypto';
import { ApiError } from './ApiError.js';
import { admitBuiltinObject } from './admitBuiltinObject.js';
import { applyJsonPatch } from './applyJsonPatch.js';
import { applyMergePatch } from './applyMergePatch.js';
import { applyStrategicMergePatch } from './applyStrategicMergePatch.js';
import type { FaultInjector } from './FaultInjector.js';
import { FieldError, invalidObject } from './FieldError.js';
import { FieldSelector } from './FieldSelector.js';
import { FOREGROUND, GarbageCollector, ORPHAN } from './GarbageCollector.js';
import { LabelSelector } from './LabelSelector.js';
import type { ObjectStore } from './ObjectStore.js';
import { ResourceRegistry } from './ResourceRegistry.js';
import { apiVersionOf, qualifiedKind, typeKey, type KubeObject, type ResourceType } from './ResourceType.js';
import { applyDefaults, pruneUnknownFields, validateAgainstSchema } from './StructuralSchema.js';

export interface ApiResult {
  code: number;
  body: unknown;
  warnings?: string[];
}

export interface DeleteOptions {
  propagationPolicy?: string;
  gracePeriodSeconds?: number;
  preconditions?: { uid?: string; resourceVersion?: string };
  dryRun?: string[];
}

export type Query = URLSearchParams;

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** RFC 3339 at second precision, as the API server writes timestamps. */
export function timestamp(at = Date.now()): string {
  return new Date(at).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const NAME_SUFFIX_CHARS = 'bcdfghjklmnpqrstvwxz2456789';

function randomSuffix(): string {
  let s = '';
  for (let i = 0; i < 5; i++) s += NAME_SUFFIX_CHARS[Math.floor(Math.random() * NAME_SUFFIX_CHARS.length)];
  return s;
}

/** Everything of an object but metadata and status: a change here bumps metadata.generation. */
function specPart(object: KubeObject): string {
  const { metadata: _m, status: _s, resourceVersion: _r, ...rest } = object;
  return JSON.stringify(rest);
}

function sameContent(a: KubeObject, b: KubeObject): boolean {
  const strip = (o: KubeObject): string => JSON.stringify({ ...o, metadata: { ...o.metadata, resourceVersion: undefined } });
  return strip(a) === strip(b);
}

export class ObjectApi {
  readonly gc: GarbageCollector;

  constructor(
    private readonly store: ObjectStore,
    private readonly registry: ResourceRegistry,
    private readonly faults: FaultInjector,
  ) {
    this.gc = new GarbageCollector(store, {
      deleteObject: (key, object) => this.deleteStored(key, object, {}),
      updateObject: (key, object) => this.writeUpdate(key, object),
      finishNamespace: (namespace) => {
        this.store.remove('/namespaces', namespace);
      },
    });
    for (const name of ['default', 'kube-system', 'kube-public', 'kube-node-lease']) {
      this.create(this.registry.find('', 'v1', 'namespaces') as ResourceType, undefined, { metadata: { name } }, new URLSearchParams());
    }
  }

  /** How an object goes out: items of built-in lists carry no kind/apiVersion on a real server. */
  presentForList(type: ResourceType, object: KubeObject): KubeObject {
    if (type.custom) return object;
    const { kind: _k, apiVersion: _a, ...rest } = object;
    return rest as KubeObject;
  }

  private mustGet(type: ResourceType, namespace: string | undefined, name: string): KubeObject {
    const object = this.store.get(typeKey(type), type.namespaced ? namespace : undefined, name);
    if (!object) throw ApiError.notFound(type.plural, name, type.group);
    return object;
  }

  get(type: ResourceType, namespace: string | undefined, name: string): KubeObject {
    return this.mustGet(type, namespace, name);
  }

  list(type: ResourceType, namespace: string | undefined, query: Query): Json {
    const labels = LabelSelector.parse(query.get('labelSelector') ?? undefined);
    const fields = FieldSelector.parse(query.get('fieldSelector') ?? undefined, type);
    const resourceVersion = String(this.store.currentResourceVersion);
    let items = this.store.list(typeKey(type), type.namespaced ? namespace : undefined).filter((o) => labels.matches(o.metadata.labels) && fields.matches(o));
    const metadata: Json = { resourceVersion };
    const continueToken = query.get('continue');
    if (continueToken) {
      let after: string;
      try {
        after = (JSON.parse(Buffer.from(continueToken, 'base64url').toString()) as { after: string }).after;
      } catch (error: unknown) {
        throw new ApiError(400, 'BadRequest', `continue key is not valid: ${String(error)}`);
      }
      items = items.filter((o) => `${o.metadata.namespace ?? ''}/${o.metadata.name ?? ''}` > after);
    }
    const limit = Number(query.get('limit') ?? 0);
    if (limit > 0 && items.length > limit) {
      const last = items[limit - 1] as KubeObject;
      metadata.continue = Buffer.from(JSON.stringify({ after: `${last.metadata.namespace ?? ''}/${last.metadata.name ?? ''}` })).toString('base64url');
      metadata.remainingItemCount = items.length - limit;
      items = items.slice(0, limit);
    }
    return { apiVersion: apiVersionOf(type), kind: type.listKind, metadata, items: items.map((o) => this.presentForList(type, o)) };
  }

  private checkKind(type: ResourceType, body: Json): void {
    if (body.kind !== undefined && body.kind !== type.kind && !(type.plural === 'pods' && body.kind === 'Binding')) {
      throw ApiError.badRequest(`the API version in the data (${String(body.apiVersion)}) does not match the expected API version (${apiVersionOf(type)}) or kind ${String(body.kind)} is not ${type.kind}`);
    }
    if (body.apiVersion !== undefined && body.apiVersion !== apiVersionOf(type)) {
      throw ApiError.badRequest(`the API version in the data (${String(body.apiVersion)}) does not match the expected API version (${apiVersionOf(type)})`);
    }
  }

  private checkNamespace(type: ResourceType, namespace: string | undefined, body: KubeObject): string | undefined {
    if (!type.namespaced) {
      delete body.metadata.namespace;
      return undefined;
    }
    const inBody = body.metadata.namespace;
    if (inBody !== undefined && inBody !== '' && namespace !== undefined && inBody !== namespace) {
      throw ApiError.badRequest('the namespace of the provided object does not match the namespace sent on the request');
    }
    const ns = namespace ?? inBody;
    if (!ns) throw ApiError.badRequest('the namespace of the object must be set (POST to /namespaces/<namespace>/…)');
    body.metadata.namespace = ns;
    return ns;
  }

  /** Prunes, defaults and validates (schema for custom resources, admission for built-ins). */
  private admit(type: ResourceType, object: KubeObject, old: KubeObject | undefined, query: Query): string[] {
    const errors: FieldError[] = [];
    const warnings: string[] = [];
    const name = object.metadata.name ?? '';
    if (name) {
      const ok = type.nameIsLabel ? DNS_LABEL.test(name) && name.length <= 63 : DNS_SUBDOMAIN.test(name) && name.length <= 253;
      if (!ok) {
        const what = type.nameIsLabel ? 'RFC 1123 label' : 'RFC 1123 subdomain';
        errors.push(FieldError.invalid('metadata.name', name, `a lowercase ${what} must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character`));
      }
    }
    for (const [key, value] of Object.entries(object.metadata.labels ?? {})) {
      if (typeof value !== 'string' || value.length > 63 || !/^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$/.test(value)) {
        errors.push(FieldError.invalid(`metadata.labels`, value, `a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (label ${key})`));
      }
    }
    if (type.custom && type.schema) {
      const pruned = pruneUnknownFields(object, type.schema);
      const mode = query.get('fieldValidation') ?? 'Warn';
      if (pruned.length > 0 && mode === 'Strict') {
        const unknown = pruned.map((p) => `unknown field "${p}"`).join(', ');
        throw ApiError.badRequest(`${type.kind} in version "${type.version}" cannot be handled as a ${type.kind}: strict decoding error: ${unknown}`);
      }
      if (mode !== 'Ignore') warnings.push(...pruned.map((p) => `unknown field "${p}"`));
      applyDefaults(object, type.schema);
      validateAgainstSchema(object, type.schema, '', errors, old);
    } else if (!type.custom) {
      errors.push(...admitBuiltinObject(type, object, old));
      if (type.group === 'apiextensions.k8s.io') errors.push(...ResourceRegistry.validateCrd(object));
    }
    if (errors.length > 0) throw invalidObject(qualifiedKind(type), name, type.kind, type.group, errors);
    return warnings;
  }

  create(type: ResourceType, namespace: string | undefined, raw: unknown, query: Query): ApiResult {
    if (!isObject(raw) || !isObject(raw.metadata ?? {})) throw ApiError.badRequest(`the body of a create must be a ${type.kind} object`);
    this.checkKind(type, raw);
    const body = structuredClone(raw) as KubeObject;
    body.metadata ??= {};
    body.apiVersion = apiVersionOf(type);
    body.kind = type.kind;
    const ns = this.checkNamespace(type, namespace, body);
    if (ns !== undefined) {
      const nsObject = this.store.get('/namespaces', undefined, ns);
      if (!nsObject) throw ApiError.notFound('namespaces', ns);
      if (nsObject.metadata.deletionTimestamp) {
        throw new ApiError(403, 'Forbidden', `${type.plural} "${body.metadata.name ?? ''}" is forbidden: unable to create new content in namespace ${ns} because it is being terminated`);
      }
    }
    if (!body.metadata.name) {
      if (!body.metadata.generateName) {
        throw invalidObject(qualifiedKind(type), '', type.kind, type.group, [FieldError.required('metadata.name', 'name or generateName is required')]);
      }
      body.metadata.name = `${body.metadata.generateName}${randomSuffix()}`;
    }
    const name = body.metadata.name;
    if (type.statusSubresource && type.custom) delete body.status;
    for (const field of ['uid', 'resourceVersion', 'deletionTimestamp', 'deletionGracePeriodSeconds', 'managedFields', 'selfLink']) delete body.metadata[field];
    const warnings = this.admit(type, body, undefined, query);
    if (this.store.get(typeKey(type), ns, name)) throw ApiError.alreadyExists(type.plural, name, type.group);
    body.metadata.uid = randomUUID();
    body.metadata.creationTimestamp = timestamp();
    body.metadata.generation = 1;
    if (query.get('dryRun') === 'All') return { code: 201, body, warnings };
    const stored = this.store.put(typeKey(type), body, 'ADDED');
    if (type.group === 'apiextensions.k8s.io') this.registry.registerCrd(stored);
    return { code: 201, body: stored, warnings };
  }

  /**
   * PUT of the object (subresource undefined) or of its status. `fromPatch` skips the check that
   * custom resources name a resourceVersion (a patch is applied to the current version).
   */
  update(type: ResourceType, namespace: string | undefined, name: string, raw: unknown, subresource: string | undefined, query: Query, fromPatch = false): ApiResult {
    if (!isObject(raw) || !isObject(raw.metadata)) throw ApiError.badRequest(`the body of an update must be a ${type.kind} object with metadata`);
    this.checkKind(type, raw);
    const existing = this.mustGet(type, namespace, name);
    const body = structuredClone(raw) as KubeObject;
    if (body.metadata.name !== undefined && body.metadata.name !== name) {
      throw ApiError.badRequest(`the name of the object (${String(body.metadata.name)}) does not match the name on the URL (${name})`);
    }
    if (type.namespaced && body.metadata.namespace && body.metadata.namespace !== namespace) {
      throw ApiError.badRequest('the namespace of the provided object does not match the namespace sent on the request');
    }
    const requested = body.metadata.resourceVersion;
    if (requested !== undefined && requested !== '' && requested !== existing.metadata.resourceVersion) {
      throw ApiError.staleResourceVersion(type.plural, name, type.group);
    }
    if (!fromPatch && type.custom && !requested) {
      throw invalidObject(qualifiedKind(type), name, type.kind, type.group, [FieldError.invalidRendered('metadata.resourceVersion', '0x0', 'must be specified for an update')]);
    }
    if (this.faults.takeConflict(type.plural)) throw ApiError.staleResourceVersion(type.plural, name, type.group);

    let next: KubeObject;
    if (subresource === 'status') {
      // On /status only the status stanza changes (metadata and spec come from the stored object).
      next = structuredClone(existing) as KubeObject;
      if (body.status === undefined) delete next.status;
      else next.status = body.status;
    } else {
      next = body;
      next.apiVersion = apiVersionOf(type);
      next.kind = type.kind;
      for (const field of ['uid', 'creationTimestamp', 'deletionTimestamp', 'deletionGracePeriodSeconds', 'generation', 'namespace', 'name'] as const) {
        const kept: unknown = existing.metadata[field];
        if (kept === undefined) delete next.metadata[field];
        else (next.metadata as Record<string, unknown>)[field] = kept;
      }
      if (type.statusSubresource) {
        if (existing.status === undefined) delete next.status;
        else next.status = structuredClone(existing.status);
      }
      if (existing.metadata.deletionTimestamp) {
        const added = (next.metadata.finalizers ?? []).filter((f) => !(existing.metadata.finalizers ?? []).includes(f));
        if (added.length > 0) {
          throw invalidObject(qualifiedKind(type), name, type.kind, type.group, [FieldError.forbidden('metadata.finalizers', `no new finalizers can be added if the object is being deleted, found new finalizers []string{"${added.join('", "')}"}`)]);
        }
      }
    }
    delete next.metadata.resourceVersion;
    const warnings = this.admit(type, next, existing, query);
    if (specPart(next) !== specPart(existing)) next.metadata.generation = (existing.metadata.generation ?? 1) + 1;
    next.metadata.resourceVersion = existing.metadata.resourceVersion as string;
    if (sameContent(next, existing)) return { code: 200, body: existing, warnings };
    if (query.get('dryRun') === 'All') return { code: 200, body: next, warnings };
    const stored = this.writeUpdate(typeKey(type), next);
    return { code: 200, body: stored, warnings };
  }

  /** Stores a change; an object being deleted whose last finalizer is gone is removed. */
  private writeUpdate(key: string, object: KubeObject): KubeObject {
    if (object.metadata.deletionTimestamp && (object.metadata.finalizers ?? []).length === 0 && !this.isGracefullyTerminatingPod(key, object)) {
      return this.removeNow(key, object);
    }
    const stored = this.store.put(key, object, 'MODIFIED');
    if (key === 'apiextensions.k8s.io/customresourcedefinitions') this.registry.registerCrd(stored);
    return stored;
  }

  private isGracefullyTerminatingPod(key: string, object: KubeObject): boolean {
    return key === '/pods' && (object.metadata.deletionGracePeriodSeconds ?? 0) > 0;
  }

  patch(type: ResourceType, namespace: string | undefined, name: string, patch: unknown, contentType: string, subresource: string | undefined, query: Query): ApiResult {
    const existing = this.mustGet(type, namespace, name);
    let patched: unknown;
    const media = contentType.split(';')[0]?.trim() ?? '';
    switch (media) {
      case 'application/merge-patch+json':
        patched = applyMergePatch(existing, patch);
        break;
      case 'application/json-patch+json':
        patched = applyJsonPatch(existing, patch);
        break;
      case 'application/strategic-merge-patch+json':
        if (type.custom) throw new ApiError(415, 'UnsupportedMediaType', 'the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml');
        patched = applyStrategicMergePatch(existing, patch);
        break;
      default:
        throw ApiError.unsupportedMediaType(contentType);
    }
    if (!isObject(patched) || !isObject(patched.metadata)) throw new ApiError(422, 'Invalid', 'the patch removed the object\'s metadata');
    return this.update(type, namespace, name, patched, subresource, query, true);
  }

  delete(type: ResourceType, namespace: string | undefined, name: string, options: DeleteOptions): ApiResult {
    const existing = this.mustGet(type, namespace, name);
    const pre = options.preconditions;
    if (pre?.uid && pre.uid !== existing.metadata.uid) {
      throw ApiError.conflict(type.plural, name, type.group, `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${existing.metadata.uid ?? ''}`);
    }
    if (pre?.resourceVersion && pre.resourceVersion !== existing.metadata.resourceVersion) {
      throw ApiError.conflict(type.plural, name, type.group, `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${existing.metadata.resourceVersion ?? ''}`);
    }
    if (options.dryRun?.includes('All')) return { code: 200, body: existing };
    const result = this.deleteStored(typeKey(type), existing, options);
    if (result.removed) {
      const body = type.custom
        ? { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details: { name, group: type.group, kind: type.plural, uid: existing.metadata.uid } }
        : result.object;
      return { code: 200, body };
    }
    return { code: 202, body: result.object };
  }

  /** Deletes now, or marks for deletion (graceful pods, finalizers, foreground/orphan policy). */
  private deleteStored(key: string, existing: KubeObject, options: DeleteOptions): { removed: boolean; object: KubeObject } {
    const next = structuredClone(existing) as KubeObject;
    const finalizers = new Set(next.metadata.finalizers ?? []);
    if (options.propagationPolicy === 'Foreground') finalizers.add(FOREGROUND);
    if (options.propagationPolicy === 'Orphan') finalizers.add(ORPHAN);
    if (options.propagationPolicy !== undefined && !['Foreground', 'Orphan', 'Background'].includes(options.propagationPolicy)) {
      throw ApiError.badRequest(`propagationPolicy: Unsupported value: "${options.propagationPolicy}": supported values: "Foreground", "Background", "Orphan"`);
    }
    if (key === '/namespaces') {
      if (!next.metadata.deletionTimestamp) {
        next.metadata.deletionTimestamp = timestamp();
        next.status = { phase: 'Terminating' };
        const stored = this.store.put(key, next, 'MODIFIED');
        this.gc.schedule();
        return { removed: false, object: stored };
      }
      return { removed: false, object: existing };
    }
    const grace = this.podGracePeriod(key, existing, options);
    if (grace > 0) {
      const current = existing.metadata.deletionGracePeriodSeconds;
      if (existing.metadata.deletionTimestamp && current !== undefined && current <= grace) return { removed: false, object: existing };
      next.metadata.deletionTimestamp = timestamp(Date.now() + grace * 1000);
      next.metadata.deletionGracePeriodSeconds = grace;
      if (finalizers.size > 0) next.metadata.finalizers = [...finalizers];
      const stored = this.store.put(key, next, 'MODIFIED');
      return { removed: false, object: stored };
    }
    if (finalizers.size > 0) {
      const unchanged = existing.metadata.deletionTimestamp && finalizers.size === (existing.metadata.finalizers ?? []).length && existing.metadata.deletionGracePeriodSeconds === 0;
      if (unchanged) return { removed: false, object: existing };
      next.metadata.deletionTimestamp ??= timestamp();
      next.metadata.deletionGracePeriodSeconds = 0;
      next.metadata.finalizers = [...finalizers];
      const stored = this.store.put(key, next, 'MODIFIED');
      this.gc.schedule();
      return { removed: false, object: stored };
    }
    return { removed: true, object: this.removeNow(key, existing) };
  }

  /** A bound pod that has not finished is deleted gracefully: its kubelet (the PodRunner) stops it first. */
  private podGracePeriod(key: string, pod: KubeObject, options: DeleteOptions): number {
    if (key !== '/pods') return 0;
    const spec = (pod.spec ?? {}) as Json;
    const phase = (pod.status as Json | undefined)?.phase;
    if (!spec.nodeName || phase === 'Succeeded' || phase === 'Failed') return 0;
    const grace = options.gracePeriodSeconds ?? (typeof spec.terminationGracePeriodSeconds === 'number' ? spec.terminationGracePeriodSeconds : 30);
    return Math.max(0, grace);
  }

  private removeNow(key: string, existing: KubeObject): KubeObject {
    const removed = this.store.remove(key, existing);
    if (key === 'apiextensions.k8s.io/customresourcedefinitions') {
      const spec = existing.spec as { group?: string; names?: { plural?: string } };
      this.store.dropType(`${spec.group ?? ''}/${spec.names?.plural ?? ''}`);
      this.registry.unregisterCrd(existing);
    }
    this.gc.schedule();
    return removed;
  }

  deleteCollection(type: ResourceType, namespace: string | undefined, query: Query, options: DeleteOptions): ApiResult {
    const listed = this.list(type, namespace, query).items as KubeObject[];
    const deleted: KubeObject[] = [];
    for (const item of listed) {
      const stored = this.store.get(typeKey(type), item.metadata.namespace, item.metadata.name ?? '');
      if (stored) deleted.push(this.deleteStored(typeKey(type), stored, options).object);
    }
    return { code: 200, body: { apiVersion: apiVersionOf(type), kind: type.listKind, metadata: {}, items: deleted.map((o) => this.presentForList(type, o)) } };
  }

  /** POST pods/<name>/binding: the scheduler's way to assign a node (sets spec.nodeName once). */
  bind(type: ResourceType, namespace: string | undefined, name: string, raw: unknown): ApiResult {
    const pod = this.mustGet(type, namespace, name);
    const target = isObject(raw) && isObject(raw.target) ? raw.target : undefined;
    if (!target || typeof target.name !== 'string' || target.name === '') {
      throw invalidObject('Binding', name, 'Binding', '', [FieldError.required('target.name')]);
    }
    const spec = (pod.spec ?? {}) as Json;
    if (spec.nodeName) throw ApiError.conflict('pods', name, '', `pod ${name} is already assigned to node "${String(spec.nodeName)}"`);
    if (pod.metadata.deletionTimestamp) throw ApiError.conflict('pods', name, '', `pod ${name} is being deleted, cannot be assigned to a host`);
    const next = structuredClone(pod) as KubeObject;
    (next.spec as Json).nodeName = target.name;
    const status = (next.status ?? {}) as Json;
    const conditions = (Array.isArray(status.conditions) ? status.conditions : []).filter((c: Json) => c.type !== 'PodScheduled');
    conditions.push({ type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: timestamp() });
    status.conditions = conditions;
    next.status = status;
    this.writeUpdate('/pods', next);
    return { code: 201, body: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 } };
  }

  /** POST pods/<name>/eviction: marks the pod with a DisruptionTarget condition, then deletes it gracefully. */
  evict(type: ResourceType, namespace: string | undefined, name: string, raw: unknown): ApiResult {
    const pod = this.mustGet(type, namespace, name);
    const options = (isObject(raw) && isObject(raw.deleteOptions) ? raw.deleteOptions : {}) as DeleteOptions;
    const next = structuredClone(pod) as KubeObject;
    const status = (next.status ?? {}) as Json;
    const conditions = (Array.isArray(status.conditions) ? status.conditions : []).filter((c: Json) => c.type !== 'DisruptionTarget');
    conditions.push({ type: 'DisruptionTarget', status: 'True', reason: 'EvictionByEvictionAPI', message: 'Eviction API: evicting', lastProbeTime: null, lastTransitionTime: timestamp() });
    status.conditions = conditions;
    next.status = status;
    const updated = this.writeUpdate('/pods', next);
    this.deleteStored('/pods', updated, options);
    return { code: 201, body: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 } };
  }

  [Symbol.dispose](): void {
    this.gc[Symbol.dispose]();
  }
}
