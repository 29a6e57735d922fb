/**
 * What a driver pod does through the Kubernetes API, in its own namespace only: it creates,
 * watches and deletes its executor pods, and writes its job's final status. The Helm chart's
 * driver Role grants exactly this (checked by test/integration/operator/helmChart.test.ts).
 */
export const driverPermissions = [
  { apiGroup: '', resource: 'pods', verbs: ['create', 'delete', 'get', 'list', 'watch'] },
  { apiGroup: 'kuberdd.io', resource: 'sparkjobs', verbs: ['get'] },
  { apiGroup: 'kuberdd.io', resource: 'sparkjobs/status', verbs: ['get', 'patch'] },
] as const;
