// A Kubernetes API server stand-in for CI: the REST API (discovery, CRUD, patch, status
// subresource, watch with bookmarks and 410 Expired, CRDs with structural-schema validation,
// ownerReference cascade) over plain HTTP, in memory, with fault injection. Clients
// (@kubernetes/client-node, kubectl) reach it through the kubeconfig it writes.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import yaml from 'js-yaml';
import { ApiError } from './ApiError.js';
import { FaultInjector, type FaultSpec } from './FaultInjector.js';
import { FieldSelector } from './FieldSelector.js';
import { LabelSelector } from './LabelSelector.js';
import { ObjectApi, type ApiResult, type DeleteOptions } from './ObjectApi.js';
import { ObjectStore } from './ObjectStore.js';
import { openApiV3GroupVersion, openApiV3Root } from './OpenApiV3.js';
import { ResourceRegistry } from './ResourceRegistry.js';
import { apiVersionOf, typeKey, type KubeObject, type ResourceType } from './ResourceType.js';
import { toTable } from './TableConverter.js';
import { WatchStream } from './WatchStream.js';

export interface StandInApiServerOptions {
  /** 0 (the default) picks a free port. */
  port?: number;
  host?: string;
  /** CRD YAML files registered at start (multi-document files are fine). */
  crdFiles?: string[];
  faults?: FaultSpec;
  /** Changes kept per resource type for watches to resume from (older ones get 410 Expired). */
  watchHistorySize?: number;
  /** How often watches that allow bookmarks get one (a real server: about once a minute). */
  bookmarkIntervalMs?: number;
  /** The bearer token clients must present; random by default. */
  token?: string;
  /** Where to write the kubeconfig; a fresh temp file by default (removed on stop). */
  kubeconfigPath?: string;
  /** Request log (one line per request); silent by default. */
  log?: (line: string) => void;
}

const SERVER_VERSION = {
  major: '1',
  minor: '30',
  gitVersion: 'v1.30.0-kuberdd-standin',
  gitCommit: '0000000000000000000000000000000000000000',
  gitTreeState: 'clean',
  buildDate: '2024-04-17T00:00:00Z',
  goVersion: 'go1.22.2',
  compiler: 'gc',
  platform: 'linux/amd64',
};

const UNAUTHENTICATED_PATHS = new Set(['/version', '/healthz', '/livez', '/readyz']);

class RequestBodyError extends Error {
  override readonly name = 'RequestBodyError';
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', (error) => reject(new RequestBodyError('reading the request body failed', { cause: error })));
  });
}

function parseJson(text: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text);
  } catch (error: unknown) {
    // kubectl and client-node send JSON; YAML bodies are accepted for hand-made requests.
    try {
      return yaml.load(text);
    } catch {
      throw ApiError.badRequest(`the request body is not valid JSON: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}

interface ResourceRequest {
  type: ResourceType;
  namespace: string | undefined;
  name: string | undefined;
  subresource: string | undefined;
}

export class StandInApiServer {
  readonly faults: FaultInjector;
  private readonly store: ObjectStore;
  private readonly registry = new ResourceRegistry();
  private readonly api: ObjectApi;
  private readonly watches = new Set<WatchStream>();
  private readonly bookmarkIntervalMs: number;
  private readonly ownsKubeconfig: boolean;
  private stopped = false;

  private constructor(
    private readonly server: http.Server,
    readonly token: string,
    readonly kubeconfigPath: string,
    private readonly options: StandInApiServerOptions,
  ) {
    this.store = new ObjectStore(options.watchHistorySize ?? 1000);
    this.faults = new FaultInjector(() => this.dropWatches());
    this.api = new ObjectApi(this.store, this.registry, this.faults);
    this.bookmarkIntervalMs = options.bookmarkIntervalMs ?? 10_000;
    this.ownsKubeconfig = options.kubeconfigPath === undefined;
  }

  static async start(options: StandInApiServerOptions = {}): Promise<StandInApiServer> {
    const server = http.createServer();
    server.keepAliveTimeout = 60_000;
    const token = options.token ?? randomBytes(16).toString('hex');
    const kubeconfigPath = options.kubeconfigPath ?? path.join(mkdtempSync(path.join(os.tmpdir(), 'kuberdd-standin-')), 'kubeconfig');
    const standIn = new StandInApiServer(server, token, kubeconfigPath, options);
    for (const file of options.crdFiles ?? []) standIn.registerCrdFile(file);
    if (options.faults) standIn.faults.apply(options.faults);
    server.on('request', (req, res) => void standIn.handle(req, res));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
    });
    writeFileSync(kubeconfigPath, standIn.kubeconfig());
    return standIn;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  get url(): string {
    return `http://${this.options.host ?? '127.0.0.1'}:${this.port}`;
  }

  /** Rules of registered CRDs that the stand-in's CEL subset cannot evaluate (not enforced). */
  get unsupportedCelRules(): readonly string[] {
    return this.registry.unsupportedCelRules;
  }

  kubeconfig(): string {
    return yaml.dump({
      apiVersion: 'v1',
      kind: 'Config',
      // client-node refuses plain HTTP unless TLS verification is (vacuously) switched off.
      clusters: [{ name: 'standin', cluster: { server: this.url, 'insecure-skip-tls-verify': true } }],
      users: [{ name: 'standin', user: { token: this.token } }],
      contexts: [{ name: 'standin', context: { cluster: 'standin', user: 'standin', namespace: 'default' } }],
      'current-context': 'standin',
      preferences: {},
    });
  }

  /** Registers every CustomResourceDefinition in a YAML file, as `kubectl apply -f` would. */
  registerCrdFile(file: string): void {
    const crdType = this.registry.find('apiextensions.k8s.io', 'v1', 'customresourcedefinitions') as ResourceType;
    const documents = yaml.loadAll(readFileSync(file, 'utf8')).filter((d) => d !== null && d !== undefined);
    for (const doc of documents) {
      const crd = doc as KubeObject;
      if (crd.kind !== 'CustomResourceDefinition') continue;
      try {
        this.api.create(crdType, undefined, crd, new URLSearchParams());
      } catch (error: unknown) {
        const why = error instanceof ApiError ? error.message : String(error);
        throw new Error(`${file}: the CustomResourceDefinition ${crd.metadata?.name ?? '(unnamed)'} cannot be registered: ${why}`, { cause: error });
      }
    }
  }

  /** Closes every open watch (clients see the stream end and re-watch from their last resourceVersion). */
  dropWatches(): void {
    for (const watch of [...this.watches]) watch.close();
  }

  get openWatchCount(): number {
    return this.watches.size;
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.dropWatches();
    this.faults.reset();
    this.api[Symbol.dispose]();
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
    if (this.ownsKubeconfig) rmSync(path.dirname(this.kubeconfigPath), { recursive: true, force: true });
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const started = Date.now();
    res.on('finish', () => this.options.log?.(`${req.method ?? ''} ${req.url ?? ''} ${res.statusCode} ${Date.now() - started}ms`));
    try {
      const body = req.method === 'GET' || req.method === 'HEAD' ? '' : await readBody(req);
      if (this.faults.latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, this.faults.latencyMs));
      // kubectl sends no credentials over plain HTTP, so a request without any is served (as the
      // old insecure port did); a wrong token is refused, which catches clients not using the kubeconfig.
      const authorization = req.headers.authorization;
      if (!UNAUTHENTICATED_PATHS.has(url.pathname) && authorization !== undefined && authorization !== `Bearer ${this.token}`) {
        throw new ApiError(401, 'Unauthorized', 'Unauthorized');
      }
      if (url.pathname === '/_standin/faults') {
        this.handleFaults(req.method ?? 'GET', body, res);
        return;
      }
      await this.route(req, res, url, body);
    } catch (error: unknown) {
      const apiError = error instanceof ApiError ? error : ApiError.internal(error instanceof Error ? error.message : String(error));
      if (res.headersSent) {
        res.end();
        return;
      }
      this.send(res, { code: apiError.code, body: apiError.toStatus() });
    }
  }

  private handleFaults(method: string, body: string, res: ServerResponse): void {
    if (method === 'POST') this.faults.apply((parseJson(body) ?? {}) as FaultSpec);
    else if (method === 'DELETE') this.faults.reset();
    else if (method !== 'GET') throw ApiError.methodNotAllowed(`${method} is not supported on /_standin/faults (GET, POST, DELETE)`);
    this.send(res, { code: 200, body: this.faults.describe() });
  }

  private send(res: ServerResponse, result: ApiResult): void {
    const headers: http.OutgoingHttpHeaders = { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private' };
    if (result.warnings?.length) headers.Warning = result.warnings.map((w) => `299 - ${JSON.stringify(w)}`);
    res.writeHead(result.code, headers);
    res.end(JSON.stringify(result.body));
  }

  private async route(req: IncomingMessage, res: ServerResponse, url: URL, body: string): Promise<void> {
    const segments = url.pathname.split('/').filter((s) => s.length > 0).map(decodeURIComponent);
    const method = req.method ?? 'GET';
    const p = url.pathname.replace(/\/$/, '');
    if (p === '/version') return this.send(res, { code: 200, body: SERVER_VERSION });
    if (p === '/healthz' || p === '/livez' || p === '/readyz') {
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      res.end('ok');
      return;
    }
    if (p === '/api') {
      return this.send(res, { code: 200, body: { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: `127.0.0.1:${this.port}` }] } });
    }
    if (p === '/apis') return this.send(res, { code: 200, body: this.registry.apiGroupList() });
    if (p === '/openapi/v3') return this.send(res, { code: 200, body: openApiV3Root(this.registry) });
    if (p.startsWith('/openapi/v3/')) {
      const gv = p.slice('/openapi/v3/'.length).split('/');
      const doc = gv[0] === 'api' ? openApiV3GroupVersion(this.registry, '', gv[1] ?? '') : openApiV3GroupVersion(this.registry, gv[1] ?? '', gv[2] ?? '');
      if (!doc) throw new ApiError(404, 'NotFound', 'the server could not find the requested resource');
      return this.send(res, { code: 200, body: doc });
    }
    let group: string;
    let version: string | undefined;
    let rest: string[];
    if (segments[0] === 'api') {
      group = '';
      version = segments[1];
      rest = segments.slice(2);
    } else if (segments[0] === 'apis' && segments.length >= 2) {
      group = segments[1] as string;
      version = segments[2];
      rest = segments.slice(3);
      if (version === undefined) return this.send(res, { code: 200, body: this.registry.apiGroup(group) });
    } else {
      throw new ApiError(404, 'NotFound', 'the server could not find the requested resource');
    }
    if (version === undefined) throw new ApiError(404, 'NotFound', 'the server could not find the requested resource');
    if (rest.length === 0) return this.send(res, { code: 200, body: this.registry.resourceList(group, version) });
    const request = this.resolve(group, version, rest);
    if (this.faults.takeFailure(request.type.plural)) throw ApiError.internal(`injected failure of ${method} ${url.pathname}`);
    await this.dispatch(method, request, url.searchParams, body, req, res);
  }

  private resolve(group: string, version: string, rest: string[]): ResourceRequest {
    const notFound = (): ApiError => new ApiError(404, 'NotFound', 'the server could not find the requested resource');
    let namespace: string | undefined;
    let parts = rest;
    if (rest[0] === 'namespaces' && rest.length >= 3 && this.registry.find(group, version, rest[2] as string)?.namespaced === true) {
      namespace = rest[1];
      parts = rest.slice(2);
    }
    const [plural, name, subresource, ...extra] = parts;
    const type = plural === undefined ? undefined : this.registry.find(group, version, plural);
    if (!type || extra.length > 0) throw notFound();
    if (namespace !== undefined && !type.namespaced) throw notFound();
    if (subresource !== undefined && !type.subresources.includes(subresource)) throw notFound();
    return { type, namespace, name, subresource };
  }

  private async dispatch(method: string, r: ResourceRequest, query: URLSearchParams, text: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const { type, namespace, name, subresource } = r;
    const wantsTable = (req.headers.accept ?? '').includes('as=Table');
    switch (method) {
      case 'GET': {
        if (name === undefined) {
          if (query.get('watch') === 'true' || query.get('watch') === '1') return this.watch(type, namespace, query, res);
          const list = this.api.list(type, namespace, query);
          if (wantsTable) {
            const items = (list.items as KubeObject[]).map((o) => this.store.get(typeKey(type), o.metadata.namespace, o.metadata.name ?? '') ?? o);
            return this.send(res, { code: 200, body: toTable(type, items, list.metadata as Record<string, unknown>) });
          }
          return this.send(res, { code: 200, body: list });
        }
        if (subresource === 'log') return this.podLog(type, namespace, name, query, res);
        const object = this.api.get(type, namespace, name);
        if (wantsTable) return this.send(res, { code: 200, body: toTable(type, [object], { resourceVersion: object.metadata.resourceVersion }) });
        return this.send(res, { code: 200, body: object });
      }
      case 'POST': {
        const body = parseJson(text);
        if (name === undefined) return this.send(res, this.api.create(type, namespace, body, query));
        if (subresource === 'binding') return this.send(res, this.api.bind(type, namespace, name, body));
        if (subresource === 'eviction') return this.send(res, this.api.evict(type, namespace, name, body));
        throw ApiError.methodNotAllowed(`POST is not supported on ${type.plural}/${subresource ?? name}`);
      }
      case 'PUT':
        if (name === undefined || (subresource !== undefined && subresource !== 'status')) throw ApiError.methodNotAllowed('PUT needs an object (or its /status)');
        return this.send(res, this.api.update(type, namespace, name, parseJson(text), subresource, query));
      case 'PATCH':
        if (name === undefined || (subresource !== undefined && subresource !== 'status')) throw ApiError.methodNotAllowed('PATCH needs an object (or its /status)');
        if (this.faults.takeConflict(type.plural)) throw ApiError.staleResourceVersion(type.plural, name, type.group);
        return this.send(res, this.api.patch(type, namespace, name, parseJson(text), req.headers['content-type'] ?? '', subresource, query));
      case 'DELETE': {
        const options = this.deleteOptions(parseJson(text), query);
        if (name === undefined) return this.send(res, this.api.deleteCollection(type, namespace, query, options));
        return this.send(res, this.api.delete(type, namespace, name, options));
      }
      default:
        throw ApiError.methodNotAllowed(`${method} is not supported`);
    }
  }

  private deleteOptions(body: unknown, query: URLSearchParams): DeleteOptions {
    const options: DeleteOptions = typeof body === 'object' && body !== null ? { ...(body as DeleteOptions) } : {};
    const policy = query.get('propagationPolicy');
    if (policy) options.propagationPolicy = policy;
    const grace = query.get('gracePeriodSeconds');
    if (grace !== null && grace !== '') options.gracePeriodSeconds = Number(grace);
    const dryRun = query.getAll('dryRun');
    if (dryRun.length > 0) options.dryRun = dryRun;
    return options;
  }

  private watch(type: ResourceType, namespace: string | undefined, query: URLSearchParams, res: ServerResponse): void {
    const labels = LabelSelector.parse(query.get('labelSelector') ?? undefined);
    const fields = FieldSelector.parse(query.get('fieldSelector') ?? undefined, type);
    const rvParam = query.get('resourceVersion') ?? '';
    if (rvParam !== '' && !/^\d+$/.test(rvParam)) {
      throw new ApiError(400, 'BadRequest', `resourceVersion: Invalid value: "${rvParam}": must be a non-negative integer`);
    }
    const timeoutSeconds = Number(query.get('timeoutSeconds') ?? 1800);
    const allowBookmarks = query.get('allowWatchBookmarks') === 'true';
    const sendInitialEvents = query.get('sendInitialEvents') === 'true';
    const key = typeKey(type);
    let unsubscribe = (): void => {};
    const stream = new WatchStream(res, {
      matches: (o) => (namespace === undefined || o.metadata.namespace === namespace) && labels.matches(o.metadata.labels) && fields.matches(o),
      present: (o) => o,
      bookmarkKind: type.kind,
      bookmarkApiVersion: apiVersionOf(type),
      currentResourceVersion: () => this.store.currentResourceVersion,
      bookmarkEveryMs: allowBookmarks ? this.bookmarkIntervalMs : undefined,
      timeoutMs: Math.max(0, timeoutSeconds) * 1000,
      onClose: () => {
        unsubscribe();
        this.watches.delete(stream);
      },
    });
    this.watches.add(stream);
    if (this.faults.takeWatchExpiry()) {
      stream.error(ApiError.expired(`too old resource version: ${rvParam || '0'} (${this.store.currentResourceVersion})`).toStatus());
      return;
    }
    if (rvParam === '' || rvParam === '0' || sendInitialEvents) {
      for (const object of this.store.list(key, type.namespaced ? namespace : undefined)) stream.sendInitial(object);
      if (sendInitialEvents && allowBookmarks) stream.bookmark({ 'k8s.io/initial-events-end': 'true' });
    } else {
      const events = this.store.eventsSince(key, Number(rvParam));
      if (events === 'expired') {
        stream.error(ApiError.expired(`too old resource version: ${rvParam} (${this.store.oldestWatchable(key)})`).toStatus());
        return;
      }
      for (const event of events) stream.onEvent(event);
    }
    if (!stream.isClosed) unsubscribe = this.store.subscribe(key, stream);
  }

  /** pods/<name>/log: proxied to the pod's node's kubelet endpoint, as a real API server does. */
  private async podLog(type: ResourceType, namespace: string | undefined, name: string, query: URLSearchParams, res: ServerResponse): Promise<void> {
    const pod = this.api.get(type, namespace, name);
    const spec = (pod.spec ?? {}) as { nodeName?: string; containers?: Array<{ name: string }> };
    const containers = (spec.containers ?? []).map((c) => c.name);
    let container = query.get('container') ?? undefined;
    if (container === undefined) {
      if (containers.length !== 1) throw ApiError.badRequest(`a container name must be specified for pod ${name}, choose one of: [${containers.join(' ')}]`);
      container = containers[0] as string;
    }
    if (!containers.includes(container)) throw ApiError.badRequest(`container ${container} is not valid for pod ${name}`);
    const waiting = (): ApiError => ApiError.badRequest(`container "${container}" in pod "${name}" is waiting to start: ContainerCreating`);
    if (!spec.nodeName) throw waiting();
    const node = this.store.get('/nodes', undefined, spec.nodeName);
    const nodeStatus = (node?.status ?? {}) as { addresses?: Array<{ type: string; address: string }>; daemonEndpoints?: { kubeletEndpoint?: { Port?: number } } };
    const port = nodeStatus.daemonEndpoints?.kubeletEndpoint?.Port;
    const address = nodeStatus.addresses?.find((a) => a.type === 'InternalIP')?.address ?? '127.0.0.1';
    if (!port) throw ApiError.internal(`node ${spec.nodeName} has no kubelet endpoint (status.daemonEndpoints.kubeletEndpoint.Port) to read logs from`);
    const forwarded = new URLSearchParams();
    for (const param of ['follow', 'tailLines', 'limitBytes', 'timestamps', 'previous', 'sinceSeconds']) {
      const value = query.get(param);
      if (value !== null) forwarded.set(param, value);
    }
    const target = `http://${address}:${port}/containerLogs/${encodeURIComponent(namespace ?? '')}/${encodeURIComponent(name)}/${encodeURIComponent(container)}?${forwarded}`;
    await new Promise<void>((resolve, reject) => {
      const upstream = http.get(target, (answer) => {
        if (answer.statusCode === 404) {
          answer.resume();
          reject(waiting());
          return;
        }
        res.writeHead(answer.statusCode ?? 200, { 'Content-Type': 'text/plain' });
        answer.pipe(res);
        answer.on('end', () => resolve());
        res.on('close', () => answer.destroy());
      });
      upstream.on('error', (error) => reject(ApiError.internal(`reading logs from the kubelet of node ${spec.nodeName ?? ''} failed: ${error.message}`)));
    });
  }
}
