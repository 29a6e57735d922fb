import http from 'node:http';
import https from 'node:https';
import { createInterface } from 'node:readline';
import { KubeConfig } from '@kubernetes/client-node';
import type { ApiRequest } from './ApiRequest.js';
import { KubeApiError } from './KubeApiError.js';
import type { KubeClient, KubeList, WatchEventType, WatchOptions } from './KubeClient.js';
import type { KubeObject } from './KubeObject.js';
import type { KubeResource } from './KubeResource.js';

export interface HttpKubeClientOptions {
  /** Called before every request; the operator's tests use it to check RBAC against what is really called. */
  readonly onRequest?: (request: ApiRequest) => void;
  /** Per-request timeout of non-watch calls; default 30 s. */
  readonly requestTimeoutMs?: number;
}

/** How long connection settings (token, agent) are reused before the kubeconfig is applied again (tokens rotate). */
const AUTH_REUSE_MS = 60_000;

/**
 * The Kubernetes REST API over HTTP(S), authenticated from a kubeconfig or the pod's service
 * account through @kubernetes/client-node's KubeConfig. Requests and answers are plain JSON
 * (no model classes), so timestamps stay strings and objects round-trip unchanged.
 */
export class HttpKubeClient implements KubeClient {
  readonly #config: KubeConfig;
  readonly #server: URL;
  readonly #options: HttpKubeClientOptions;
  #auth: { at: number; options: Promise<https.RequestOptions> } | undefined;

  constructor(config: KubeConfig, options: HttpKubeClientOptions = {}) {
    const cluster = config.getCurrentCluster();
    if (cluster === null) throw new KubeApiError(0, undefined, 'The kubeconfig has no current cluster: set current-context, or pass --kubeconfig.');
    this.#config = config;
    this.#server = new URL(cluster.server);
    this.#options = options;
  }

  /**
   * A client from `kubeconfigPath`, else from inside a pod (KUBERNETES_SERVICE_HOST and the
   * mounted service account), else from $KUBECONFIG or ~/.kube/config.
   */
  static load(kubeconfigPath: string | undefined, options: HttpKubeClientOptions = {}): HttpKubeClient {
    const config = new KubeConfig();
    if (kubeconfigPath !== undefined) config.loadFromFile(kubeconfigPath);
    else if (process.env['KUBERNETES_SERVICE_HOST'] !== undefined) config.loadFromCluster();
    else config.loadFromDefault();
    return new HttpKubeClient(config, options);
  }

  /** The namespace of the kubeconfig's current context, or of the pod's service account. */
  static defaultNamespace(config?: KubeConfig): string | undefined {
    const context = config?.getContextObject(config.getCurrentContext());
    return context?.namespace;
  }

  async get<T extends KubeObject>(resource: KubeResource<T>, namespace: string | undefined, name: string, subresource?: 'status'): Promise<T | undefined> {
    try {
      return (await this.#request('GET', 'get', resource, namespace, name, subresource)) as T;
    } catch (error) {
      if (KubeApiError.isNotFound(error)) return undefined;
      throw error;
    }
  }

  async list<T extends KubeObject>(resource: KubeResource<T>, namespace: string | undefined, options: { readonly labelSelector?: string } = {}): Promise<KubeList<T>> {
    const query = new URLSearchParams();
    if (options.labelSelector !== undefined) query.set('labelSelector', options.labelSelector);
    const list = (await this.#request('GET', 'list', resource, namespace, undefined, undefined, undefined, query)) as {
      items?: T[] | null;
      metadata?: { resourceVersion?: string };
    };
    // Items of a list carry no apiVersion/kind; put them back so objects look the same everywhere.
    const items = (list.items ?? []).map((item) => ({ apiVersion: apiVersionOf(resource), kind: resource.kind, ...item }));
    return { items, resourceVersion: list.metadata?.resourceVersion ?? '' };
  }

  async create<T extends KubeObject>(resource: KubeResource<T>, namespace: string | undefined, body: T): Promise<T> {
    return (await this.#request('POST', 'create', resource, namespace, undefined, undefined, { apiVersion: apiVersionOf(resource), kind: resource.kind, ...body })) as T;
  }

  async replace<T extends KubeObject>(resource: KubeResource<T>, namespace: string | undefined, name: string, body: T, subresource?: 'status'): Promise<T> {
    return (await this.#request('PUT', 'update', resource, namespace, name, subresource, { apiVersion: apiVersionOf(resource), kind: resource.kind, ...body })) as T;
  }

  async mergePatch<T extends KubeObject>(resource: KubeResource<T>, namespace: string | undefined, name: string, patch: Record<string, unknown>, subresource?: 'status'): Promise<T> {
    return (await this.#request('PATCH', 'patch', resource, namespace, name, subresource, patch, undefined, 'application/merge-patch+json')) as T;
  }

  async delete(resource: KubeResource, namespace: string | undefined, name: string, options: { readonly uid?: string; readonly propagationPolicy?: 'Background' | 'Foreground' | 'Orphan' } = {}): Promise<boolean> {
    const body: Record<string, unknown> = { apiVersion: 'v1', kind: 'DeleteOptions', propagationPolicy: options.propagationPolicy ?? 'Background' };
    if (options.uid !== undefined) body['preconditions'] = { uid: options.uid };
    try {
      await this.#request('DELETE', 'delete', resource, namespace, name, undefined, body);
      return true;
    } catch (error) {
      if (KubeApiError.isNotFound(error)) return false;
      // A uid precondition that fails means another incarnation now has the name: ours is gone.
      if (KubeApiError.isConflict(error) && options.uid !== undefined) return false;
      throw error;
    }
  }

  async watch<T extends KubeObject>(
    resource: KubeResource<T>,
    namespace: string | undefined,
    options: WatchOptions,
    onEvent: (type: WatchEventType, object: T) => void,
    signal: AbortSignal,
  ): Promise<void> {
    if (signal.aborted) return;
    const query = new URLSearchParams({ watch: 'true' });
    if (options.resourceVersion !== undefined) query.set('resourceVersion', options.resourceVersion);
    if (options.labelSelector !== undefined) query.set('labelSelector', options.labelSelector);
    if (options.allowWatchBookmarks === true) query.set('allowWatchBookmarks', 'true');
    if (options.timeoutSeconds !== undefined) query.set('timeoutSeconds', String(options.timeoutSeconds));
    const url = this.#url(resource, namespace, undefined, undefined, query);
    this.#options.onRequest?.({ verb: 'watch', apiGroup: resource.group, resource: resource.plural, namespace });
    const response = await this.#send('GET', url, undefined, undefined, signal, undefined);
    if (response === undefined) return; // aborted
    if (response.statusCode !== 200) {
      const text = await readAll(response);
      throw errorFromResponse('GET', url, response.statusCode ?? 0, text);
    }
    await new Promise<void>((resolve, reject) => {
      let failed: KubeApiError | undefined;
      const lines = createInterface({ input: response, crlfDelay: Infinity });
      const onAbort = (): void => {
        response.destroy();
      };
      signal.addEventListener('abort', onAbort, { once: true });
      lines.on('line', (line) => {
        if (failed !== undefined || line.trim() === '') return;
        let event: { type?: string; object?: unknown };
        try {
          event = JSON.parse(line) as { type?: string; object?: unknown };
        } catch {
          failed = new KubeApiError(0, undefined, `GET ${url.pathname}: the watch stream sent a line that is not JSON: ${line.slice(0, 200)}`);
          response.destroy();
          return;
        }
        if (event.type === 'ERROR') {
          const status = (event.object ?? {}) as { code?: number; reason?: string; message?: string };
          failed = new KubeApiError(status.code ?? 500, status.reason, `watch ${url.pathname}: ${status.message ?? 'error event'}`);
          response.destroy();
          return;
        }
        if (event.type === 'ADDED' || event.type === 'MODIFIED' || event.type === 'DELETED' || event.type === 'BOOKMARK') {
          const object = { apiVersion: apiVersionOf(resource), kind: resource.kind, ...(event.object as object) } as T;
          onEvent(event.type, object);
        }
      });
      let settled = false;
      const finish = (): void => {
        if (settled) return;
        settled = true;
        signal.removeEventListener('abort', onAbort);
        if (failed !== undefined) reject(failed);
        else resolve();
      };
      lines.on('close', finish);
      response.on('error', (error) => {
        if (failed === undefined && !signal.aborted) failed = new KubeApiError(0, undefined, `watch ${url.pathname}: ${error.message}`, { cause: error });
      });
      // A connection that breaks may never end the line reader: settle on the socket's close too.
      response.on('close', () => setImmediate(finish));
    });
  }

  async #request(
    method: string,
    verb: ApiRequest['verb'],
    resource: KubeResource,
    namespace: string | undefined,
    name: string | undefined,
    subresource: string | undefined,
    body?: unknown,
    query?: URLSearchParams,
    contentType = 'application/json',
  ): Promise<unknown> {
    const url = this.#url(resource, namespace, name, subresource, query);
    this.#options.onRequest?.({ verb, apiGroup: resource.group, resource: subresource === undefined ? resource.plural : `${resource.plural}/${subresource}`, namespace });
    const timeout = AbortSignal.timeout(this.#options.requestTimeoutMs ?? 30_000);
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const response = await this.#send(method, url, payload, contentType, timeout, `${method} ${url.pathname}`);
    if (response === undefined) throw new KubeApiError(0, 'Timeout', `${method} ${url.pathname}: no answer within ${this.#options.requestTimeoutMs ?? 30_000} ms`);
    const text = await readAll(response);
    const status = response.statusCode ?? 0;
    if (status < 200 || status >= 300) throw errorFromResponse(method, url, status, text);
    try {
      return text === '' ? {} : (JSON.parse(text) as unknown);
    } catch (error) {
      throw new KubeApiError(status, undefined, `${method} ${url.pathname}: the answer is not JSON: ${text.slice(0, 200)}`, { cause: error });
    }
  }

  /** Resolves with the response, or undefined if `signal` aborted first. */
  async #send(method: string, url: URL, payload: string | undefined, contentType: string | undefined, signal: AbortSignal, what: string | undefined): Promise<http.IncomingMessage | undefined> {
    const base = await this.#authOptions();
    const headers: Record<string, string> = { Accept: 'application/json', ...(base.headers as Record<string, string> | undefined) };
    if (payload !== undefined) {
      headers['Content-Type'] = contentType ?? 'application/json';
      headers['Content-Length'] = String(Buffer.byteLength(payload));
    }
    const transport = url.protocol === 'https:' ? https : http;
    return new Promise<http.IncomingMessage | undefined>((resolve, reject) => {
      if (signal.aborted) return resolve(undefined);
      const request = transport.request(url, { ...base, method, headers }, (response) => {
        signal.removeEventListener('abort', onAbort);
        resolve(response);
      });
      const onAbort = (): void => {
        request.destroy();
        resolve(undefined);
      };
      signal.addEventListener('abort', onAbort, { once: true });
      request.on('error', (error) => {
        signal.removeEventListener('abort', onAbort);
        if (signal.aborted) return resolve(undefined);
        reject(new KubeApiError(0, undefined, `${what ?? `${method} ${url.pathname}`}: cannot reach the API server at ${url.origin}: ${error.message}`, { cause: error }));
      });
      request.end(payload);
    });
  }

  #authOptions(): Promise<https.RequestOptions> {
    const now = Date.now();
    if (this.#auth === undefined || now - this.#auth.at > AUTH_REUSE_MS) {
      const options: https.RequestOptions = {};
      const applied = this.#config.applyToHTTPSOptions(options).then(() => options);
      applied.catch(() => (this.#auth = undefined));
      this.#auth = { at: now, options: applied };
    }
    return this.#auth.options;
  }

  #url(resource: KubeResource, namespace: string | undefined, name: string | undefined, subresource: string | undefined, query?: URLSearchParams): URL {
    const prefix = resource.group === '' ? `/api/${resource.version}` : `/apis/${resource.group}/${resource.version}`;
    let path = prefix;
    if (resource.namespaced && namespace !== undefined) path += `/namespaces/${encodeURIComponent(namespace)}`;
    path += `/${resource.plural}`;
    if (name !== undefined) path += `/${encodeURIComponent(name)}`;
    if (subresource !== undefined) path += `/${subresource}`;
    const url = new URL(this.#server.href.replace(/\/$/, '') + path);
    if (query !== undefined) url.search = query.toString();
    return url;
  }
}

function apiVersionOf(resource: KubeResource): string {
  return resource.group === '' ? resource.version : `${resource.group}/${resource.version}`;
}

function readAll(response: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    response.on('data', (chunk: Buffer) => chunks.push(chunk));
    response.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    response.on('error', reject);
  });
}

function errorFromResponse(method: string, url: URL, status: number, text: string): KubeApiError {
  let reason: string | undefined;
  let message = text.slice(0, 500);
  try {
    const body = JSON.parse(text) as { reason?: string; message?: string };
    reason = body.reason;
    if (body.message !== undefined) message = body.message;
  } catch {
    // Not a Status object (a proxy's HTML page, say): keep the text.
  }
  return new KubeApiError(status, reason, `${method} ${url.pathname}: ${status} ${reason ?? ''} ${message}`.replace(/\s+/g, ' ').trim());
}
