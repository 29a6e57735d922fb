import type { Logger } from '../common/logging/Logger.js';
import { builtinResources } from './builtinResources.js';
import { KubeApiError } from './KubeApiError.js';
import type { KubeClient } from './KubeClient.js';
import type { Lease } from './Lease.js';
import { sleepUnlessAborted } from './sleepUnlessAborted.js';

export interface LeaderElectorOptions {
  readonly client: KubeClient;
  readonly namespace: string;
  readonly leaseName: string;
  /** Unique per replica, e.g. the pod name plus a random suffix. */
  readonly identity: string;
  readonly logger: Logger;
  /** How long a leader's lease holds after its last renewal; default 15 s. */
  readonly leaseDurationMs?: number;
  /** A leader that could not renew for this long stops leading; must be below leaseDurationMs. Default 10 s. */
  readonly renewDeadlineMs?: number;
  /** Time between attempts to acquire or renew; default 2 s. */
  readonly retryPeriodMs?: number;
}

/**
 * Leader election with a coordination.k8s.io Lease, as client-go does it. Two replicas never
 * lead at once because (1) every write is conditional on the Lease's resourceVersion, (2) a
 * candidate takes over only after the Lease went unrenewed for a full leaseDuration measured
 * on its own clock (no clock comparison between machines), and (3) a leader that cannot
 * renew stops acting after renewDeadline, which is shorter than leaseDuration.
 */
export class LeaderElector {
  readonly #o: Required<LeaderElectorOptions>;
  #observed: { key: string; atMs: number } | undefined;
  #lost = new AbortController();
  #renewing: Promise<void> | undefined;
  #stopRenewing = new AbortController();
  #leading = false;

  constructor(options: LeaderElectorOptions) {
    this.#o = { leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 2_000, ...options };
    if (this.#o.renewDeadlineMs >= this.#o.leaseDurationMs) throw new RangeError('LeaderElector: renewDeadlineMs must be shorter than leaseDurationMs.');
  }

  get isLeader(): boolean {
    return this.#leading;
  }

  /** Aborts when this replica stops leading (it could not renew in time, or lost the Lease). */
  get lost(): AbortSignal {
    return this.#lost.signal;
  }

  /**
   * Waits until this replica leads, then keeps renewing in the background. Resolves true once
   * leading, false if `signal` aborted first.
   */
  async acquire(signal: AbortSignal): Promise<boolean> {
    let logged = false;
    while (!signal.aborted) {
      if (await this.#tryAcquireOrRenew()) {
        this.#leading = true;
        this.#lost = new AbortController();
        this.#stopRenewing = new AbortController();
        this.#o.logger.info('became the leader', { lease: this.#o.leaseName, identity: this.#o.identity });
        this.#renewing = this.#renewLoop();
        return true;
      }
      if (!logged) {
        this.#o.logger.info('waiting to become the leader', { lease: this.#o.leaseName, identity: this.#o.identity });
        logged = true;
      }
      await sleepUnlessAborted(this.#o.retryPeriodMs * (1 + Math.random() * 0.2), signal);
    }
    return false;
  }

  /** Stops renewing and, if still the holder, empties the Lease so that another replica takes over at once. */
  async release(): Promise<void> {
    this.#stopRenewing.abort();
    await this.#renewing;
    if (!this.#leading) return;
    this.#leading = false;
    try {
      const lease = await this.#o.client.get(builtinResources.leases, this.#o.namespace, this.#o.leaseName);
      if (lease?.spec?.holderIdentity !== this.#o.identity) return;
      await this.#o.client.replace(builtinResources.leases, this.#o.namespace, this.#o.leaseName, {
        ...lease,
        spec: { ...lease.spec, holderIdentity: null, leaseDurationSeconds: 1, renewTime: microTime(Date.now()) },
      });
      this.#o.logger.info('released the lease', { lease: this.#o.leaseName });
    } catch (error) {
      // Not fatal: the Lease then expires after leaseDuration.
      this.#o.logger.warn('could not release the lease', { lease: this.#o.leaseName, error: (error as Error).message });
    } finally {
      this.#lost.abort(new Error('released the lease'));
    }
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.release();
  }

  async #renewLoop(): Promise<void> {
    let lastRenewMs = Date.now();
    const stop = this.#stopRenewing.signal;
    while (!stop.aborted) {
      if (!(await sleepUnlessAborted(this.#o.retryPeriodMs, stop))) return;
      let renewed = false;
      let takenOver = false;
      try {
        renewed = await this.#tryAcquireOrRenew();
        takenOver = !renewed && this.#observedHolder !== this.#o.identity && this.#observedHolder !== undefined;
      } catch (error) {
        this.#o.logger.warn('could not renew the lease', { lease: this.#o.leaseName, error: (error as Error).message });
      }
      if (renewed) lastRenewMs = Date.now();
      if (takenOver || Date.now() - lastRenewMs > this.#o.renewDeadlineMs) {
        this.#leading = false;
        this.#o.logger.error('lost leadership', { lease: this.#o.leaseName, identity: this.#o.identity, takenOver });
        this.#lost.abort(new Error('lost leadership'));
        return;
      }
    }
  }

  #observedHolder: string | undefined;

  /** One attempt; true if this replica holds the Lease afterwards. Errors other than 409 propagate. */
  async #tryAcquireOrRenew(): Promise<boolean> {
    const { client, namespace, leaseName, identity } = this.#o;
    const nowMs = Date.now();
    const leaseSeconds = Math.ceil(this.#o.leaseDurationMs / 1000);
    let lease: Lease | undefined;
    try {
      lease = await client.get(builtinResources.leases, namespace, leaseName);
      if (lease === undefined) {
        await client.create(builtinResources.leases, namespace, {
          metadata: { name: leaseName, namespace },
          spec: { holderIdentity: identity, leaseDurationSeconds: leaseSeconds, acquireTime: microTime(nowMs), renewTime: microTime(nowMs), leaseTransitions: 0 },
        });
        this.#observedHolder = identity;
        return true;
      }
      const spec = lease.spec ?? {};
      const holder = spec.holderIdentity ?? '';
      this.#observedHolder = holder === '' ? undefined : holder;
      const key = `${holder}|${spec.renewTime ?? ''}|${lease.metadata.resourceVersion ?? ''}`;
      if (this.#observed?.key !== key) this.#observed = { key, atMs: nowMs };
      const theirDurationMs = (spec.leaseDurationSeconds ?? leaseSeconds) * 1000;
      if (holder !== '' && holder !== identity && nowMs < this.#observed.atMs + theirDurationMs) return false;
      const mine = holder === identity;
      await client.replace(builtinResources.leases, namespace, leaseName, {
        ...lease,
        spec: {
          holderIdentity: identity,
          leaseDurationSeconds: leaseSeconds,
          acquireTime: mine ? (spec.acquireTime ?? microTime(nowMs)) : microTime(nowMs),
          renewTime: microTime(nowMs),
          leaseTransitions: mine ? (spec.leaseTransitions ?? 0) : (spec.leaseTransitions ?? 0) + 1,
        },
      });
      this.#observedHolder = identity;
      return true;
    } catch (error) {
      if (KubeApiError.isConflict(error)) return false;
      throw error;
    }
  }
}

/** RFC 3339 with microseconds, the wire form of a Lease's MicroTime fields. */
function microTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}
