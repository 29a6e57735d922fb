import type { KubeEvent } from './KubeEvent.js';
import type { KubeResource } from './KubeResource.js';
import type { Lease } from './Lease.js';
import type { Pod } from './Pod.js';
import type { Secret } from './Secret.js';

/** The built-in Kubernetes resources kuberdd uses. */
export const builtinResources = {
  pods: { group: '', version: 'v1', plural: 'pods', kind: 'Pod', namespaced: true } as KubeResource<Pod>,
  secrets: { group: '', version: 'v1', plural: 'secrets', kind: 'Secret', namespaced: true } as KubeResource<Secret>,
  events: { group: '', version: 'v1', plural: 'events', kind: 'Event', namespaced: true } as KubeResource<KubeEvent>,
  leases: { group: 'coordination.k8s.io', version: 'v1', plural: 'leases', kind: 'Lease', namespaced: true } as KubeResource<Lease>,
} as const;
