import { randomBytes } from 'node:crypto';
import type { Logger } from '../common/logging/Logger.js';
import { builtinResources } from './builtinResources.js';
import type { KubeClient } from './KubeClient.js';
import type { KubeObject } from './KubeObject.js';

/**
 * Records core/v1 Events about an object (what `kubectl describe` shows). Recording is best
 * effort, as in client-go: a failure is logged, never thrown, so it cannot fail a reconcile.
 */
export class EventRecorder {
  readonly #client: KubeClient;
  readonly #component: string;
  readonly #instance: string;
  readonly #logger: Logger;

  constructor(client: KubeClient, component: string, instance: string, logger: Logger) {
    this.#client = client;
    this.#component = component;
    this.#instance = instance;
    this.#logger = logger;
  }

  async record(object: KubeObject, type: 'Normal' | 'Warning', reason: string, message: string): Promise<void> {
    const { name, namespace, uid, resourceVersion } = object.metadata;
    if (name === undefined || namespace === undefined) return;
    const now = new Date().toISOString();
    try {
      await this.#client.create(builtinResources.events, namespace, {
        metadata: { name: `${name}.${Date.now().toString(16)}${randomBytes(3).toString('hex')}`, namespace },
        involvedObject: {
          ...(object.apiVersion === undefined ? {} : { apiVersion: object.apiVersion }),
          ...(object.kind === undefined ? {} : { kind: object.kind }),
          name,
          namespace,
          ...(uid === undefined ? {} : { uid }),
          ...(resourceVersion === undefined ? {} : { resourceVersion }),
        },
        reason,
        message: message.slice(0, 1024),
        type,
        source: { component: this.#component },
        firstTimestamp: now,
        lastTimestamp: now,
        count: 1,
        reportingComponent: this.#component,
        reportingInstance: this.#instance,
      });
    } catch (error) {
      this.#logger.warn('could not record an event', { object: `${namespace}/${name}`, reason, error: (error as Error).message });
    }
  }
}
