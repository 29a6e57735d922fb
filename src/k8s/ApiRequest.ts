/** One API call described as RBAC sees it: the verb on a group's resource (`pods`, `sparkjobs/status`). */
export interface ApiRequest {
  readonly verb: 'get' | 'list' | 'watch' | 'create' | 'update' | 'patch' | 'delete';
  readonly apiGroup: string;
  readonly resource: string;
  readonly namespace: string | undefined;
}
