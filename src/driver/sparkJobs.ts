import type { SparkJob } from '../api/SparkJob.js';
import { sparkJobResource } from '../api/sparkJobResource.js';
import type { KubeResource } from '../k8s/KubeResource.js';

/** SparkJobs, for the driver's writes to its own job's status. */
export const sparkJobs: KubeResource<SparkJob> = {
  group: sparkJobResource.group,
  version: sparkJobResource.version,
  plural: sparkJobResource.plural,
  kind: sparkJobResource.kind,
  namespaced: true,
};
