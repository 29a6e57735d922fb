/** Where SparkJobs live in the Kubernetes API. The CRD in crds/sparkjob.yaml says the same. */
export const sparkJobResource = {
  group: 'kuberdd.io',
  version: 'v1alpha1',
  apiVersion: 'kuberdd.io/v1alpha1',
  kind: 'SparkJob',
  plural: 'sparkjobs',
  shortName: 'sj',
} as const;
