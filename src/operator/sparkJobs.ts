import { sparkJobResource } from '../api/sparkJobResource.js';
import type { SparkJob } from '../api/SparkJob.js';
import type { KubeResource } from '../k8s/KubeResource.js';

/** SparkJobs as a resource of the Kubernetes client. */
export const sparkJobs: KubeResource<SparkJob & { metadata: SparkJob['metadata'] }> = {
  group: sparkJobResource.group,
  version: sparkJobResource.version,
  plural: sparkJobResource.plural,
  kind: sparkJobResource.kind,
  namespaced: true,
};
