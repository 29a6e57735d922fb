/**
 * Every API call the operator makes, as RBAC rules: the single list that the Helm chart's
 * operator Role grants (checked by test/integration/operator/helmChart.test.ts) and that the
 * operator integration tests compare with the calls really made. Leases and events are in
 * `leaderElectionPermissions`, granted in the operator's own namespace only.
 */
export const operatorPermissions = [
  { apiGroup: 'kuberdd.io', resource: 'sparkjobs', verbs: ['delete', 'get', 'list', 'watch'] },
  { apiGroup: 'kuberdd.io', resource: 'sparkjobs/status', verbs: ['patch'] },
  { apiGroup: '', resource: 'pods', verbs: ['create', 'delete', 'get', 'list', 'watch'] },
  { apiGroup: '', resource: 'secrets', verbs: ['create', 'get'] },
  { apiGroup: '', resource: 'events', verbs: ['create'] },
] as const;

/** What leader election needs, in the namespace of the operator's Lease. */
export const leaderElectionPermissions = [{ apiGroup: 'coordination.k8s.io', resource: 'leases', verbs: ['create', 'get', 'update'] }] as const;
