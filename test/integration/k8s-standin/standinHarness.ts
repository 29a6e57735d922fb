// Shared setup for the stand-in's tests: a server with the test CRD, and client-node clients
// built from the kubeconfig it writes (the only way the tests talk to it).
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CoreV1Api, CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';
import { StandInApiServer, type StandInApiServerOptions } from '../../k8s/StandInApiServer.js';

export const fixtures = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures');
export const testCrd = path.join(fixtures, 'test-sparkjob-crd.yaml');
export const GROUP = 'test.kuberdd.io';
export const VERSION = 'v1alpha1';
export const PLURAL = 'testjobs';

export interface StandIn {
  server: StandInApiServer;
  kc: KubeConfig;
  core: CoreV1Api;
  custom: CustomObjectsApi;
}

export async function startStandIn(options: StandInApiServerOptions = {}): Promise<StandIn> {
  const server = await StandInApiServer.start({ crdFiles: [testCrd], ...options });
  const kc = new KubeConfig();
  kc.loadFromFile(server.kubeconfigPath);
  return { server, kc, core: kc.makeApiClient(CoreV1Api), custom: kc.makeApiClient(CustomObjectsApi) };
}

export interface FailedCall {
  code: number;
  status: { reason?: string; message?: string; code?: number; details?: { causes?: Array<{ field?: string; reason?: string }> } };
}

/** The HTTP code and Status body of a call expected to fail. */
export async function failure(call: Promise<unknown>): Promise<FailedCall> {
  try {
    await call;
  } catch (error: unknown) {
    const e = error as { code?: number; body?: unknown };
    if (typeof e.code !== 'number') throw error;
    const body = typeof e.body === 'string' ? (JSON.parse(e.body) as FailedCall['status']) : ((e.body ?? {}) as FailedCall['status']);
    return { code: e.code, status: body };
  }
  throw new Error('the call succeeded but was expected to fail');
}

export function testJob(name: string, spec: Record<string, unknown> = {}, labels?: Record<string, string>): Record<string, unknown> {
  return {
    apiVersion: `${GROUP}/${VERSION}`,
    kind: 'TestJob',
    metadata: { name, ...(labels ? { labels } : {}) },
    spec: { image: 'kuberdd:dev', mainFile: 'job.ts', ...spec },
  };
}

export async function eventually<T>(probe: () => Promise<T | undefined> | T | undefined, what: string, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
