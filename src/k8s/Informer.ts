import type { Logger } from '../common/logging/Logger.js';
import { KubeApiError } from './KubeApiError.js';
import type { KubeClient, WatchEventType } from './KubeClient.js';
import type { KubeObject } from './KubeObject.js';
import type { KubeResource } from './KubeResource.js';
import { sleepUnlessAborted } from './sleepUnlessAborted.js';

export interface InformerHandlers<T> {
  onAdd?(object: T): void;
  onUpdate?(previous: T, object: T): void;
  onDelete?(object: T): void;
  /** Called for every cached object each resync period, so that missed work is redone. */
  onResync?(object: T): void;
}

export interface InformerOptions {
  readonly labelSelector?: string;
  /** Default 5 minutes; 0 turns resync off. */
  readonly resyncMs?: number;
  readonly logger: Logger;
  /** How long the server keeps one watch open before we start the next; default 5 minutes. */
  readonly watchTimeoutSeconds?: number;
}

const RETRY_MIN_MS = 200;
const RETRY_MAX_MS = 30_000;

/**
 * A local cache of one resource kind (in one namespace or all), kept current by list then
 * watch: a watch that ends is resumed from the last resourceVersion seen (bookmarks move it
 * on), a 410 Gone relists and reports what changed meanwhile (deletions included), other
 * errors retry with capped exponential backoff. Handlers run synchronously on each change.
 */
export class Informer<T extends KubeObject> {
  readonly #client: KubeClient;
  readonly #resource: KubeResource<T>;
  readonly #namespace: string | undefined;
  readonly #options: InformerOptions;
  readonly #handlers: InformerHandlers<T>;
  readonly #cache = new Map<string, T>();
  readonly #stop = new AbortController();
  #running: Promise<void> | undefined;
  #synced!: Promise<void>;
  #markSynced!: () => void;
  #isSynced = false;
  /** Relists so far (the first list included); tests and logs use it. */
  lists = 0;

  constructor(client: KubeClient, resource: KubeResource<T>, namespace: string | undefined, options: InformerOptions, handlers: InformerHandlers<T>) {
    this.#client = client;
    this.#resource = resource;
    this.#namespace = namespace;
    this.#options = options;
    this.#handlers = handlers;
    this.#synced = new Promise((resolve) => (this.#markSynced = resolve));
  }

  /** Starts listing and watching; runs until `signal` aborts or the informer is disposed. */
  start(signal?: AbortSignal): void {
    if (this.#running !== undefined) return;
    const stop = signal === undefined ? this.#stop.signal : AbortSignal.any([signal, this.#stop.signal]);
    this.#running = this.#run(stop);
  }

  get hasSynced(): boolean {
    return this.#isSynced;
  }

  /** Resolves once the first list is in the cache (or at once if `signal` aborts). */
  async waitForSync(signal: AbortSignal): Promise<void> {
    await Promise.race([this.#synced, new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }))]);
  }

  /** The cached objects: what the last list and the watch since then say exists. */
  list(): T[] {
    return [...this.#cache.values()];
  }

  get(namespace: string | undefined, name: string): T | undefined {
    return this.#cache.get(`${namespace ?? ''}/${name}`);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    this.#stop.abort();
    await this.#running;
  }

  async #run(signal: AbortSignal): Promise<void> {
    const resyncMs = this.#options.resyncMs ?? 300_000;
    const resync = resyncMs > 0 ? setInterval(() => this.#resync(), resyncMs) : undefined;
    let resourceVersion: string | undefined;
    let failures = 0;
    try {
      while (!signal.aborted) {
        try {
          if (resourceVersion === undefined) resourceVersion = await this.#relist();
          let version: string = resourceVersion;
          await this.#client.watch(
            this.#resource,
            this.#namespace,
            {
              resourceVersion: version,
              allowWatchBookmarks: true,
              timeoutSeconds: this.#options.watchTimeoutSeconds ?? 300,
              ...(this.#options.labelSelector === undefined ? {} : { labelSelector: this.#options.labelSelector }),
            },
            (type, object) => {
              version = object.metadata.resourceVersion ?? version;
              this.#apply(type, object);
            },
            signal,
          );
          resourceVersion = version;
          failures = 0;
        } catch (error) {
          if (signal.aborted) break;
          if (KubeApiError.isGone(error)) {
            this.#options.logger.info('watch expired; listing again', { resource: this.#resource.plural, namespace: this.#namespace });
            resourceVersion = undefined;
            continue;
          }
          failures++;
          const waitMs = Math.min(RETRY_MAX_MS, RETRY_MIN_MS * 2 ** Math.min(failures - 1, 20));
          this.#options.logger.warn('list/watch failed; retrying', {
            resource: this.#resource.plural,
            namespace: this.#namespace,
            error: (error as Error).message,
            retryInMs: waitMs,
          });
          await sleepUnlessAborted(waitMs * (0.8 + Math.random() * 0.4), signal);
        }
      }
    } finally {
      if (resync !== undefined) clearInterval(resync);
    }
  }

  async #relist(): Promise<string> {
    const options = this.#options.labelSelector === undefined ? {} : { labelSelector: this.#options.labelSelector };
    const { items, resourceVersion } = await this.#client.list(this.#resource, this.#namespace, options);
    this.lists++;
    const seen = new Set<string>();
    for (const item of items) {
      seen.add(keyOf(item));
      this.#apply('MODIFIED', item);
    }
    for (const [key, object] of [...this.#cache]) {
      if (!seen.has(key)) this.#apply('DELETED', object);
    }
    if (!this.#isSynced) {
      this.#isSynced = true;
      this.#markSynced();
    }
    return resourceVersion;
  }

  #apply(type: WatchEventType, object: T): void {
    if (type === 'BOOKMARK') return;
    const key = keyOf(object);
    const previous = this.#cache.get(key);
    try {
      if (type === 'DELETED') {
        this.#cache.delete(key);
        this.#handlers.onDelete?.(object);
      } else {
        // A relist reports unchanged objects too: those are no news.
        if (previous !== undefined && previous.metadata.resourceVersion === object.metadata.resourceVersion) return;
        this.#cache.set(key, object);
        if (previous === undefined) this.#handlers.onAdd?.(object);
        else this.#handlers.onUpdate?.(previous, object);
      }
    } catch (error) {
      this.#options.logger.error('an informer handler failed', { resource: this.#resource.plural, key, error: (error as Error).message });
    }
  }

  #resync(): void {
    for (const object of this.#cache.values()) {
      try {
        this.#handlers.onResync?.(object);
      } catch (error) {
        this.#options.logger.error('an informer resync handler failed', { resource: this.#resource.plural, error: (error as Error).message });
      }
    }
  }
}

function keyOf(object: KubeObject): string {
  return `${object.metadata.namespace ?? ''}/${object.metadata.name ?? ''}`;
}
