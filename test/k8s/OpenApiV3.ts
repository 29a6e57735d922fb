// The slice of `/openapi/v3` kubectl needs: per group/version documents whose PATCH operations
// carry `x-kubernetes-group-version-kind` and a `fieldValidation` parameter, so kubectl knows
// the server validates fields itself (it then sends fieldValidation=Strict and skips
// client-side schema validation). Schemas of kinds are not published (`kubectl explain` does
// not work).
import type { ResourceRegistry } from './ResourceRegistry.js';
import { apiVersionOf, type ResourceType } from './ResourceType.js';

function gvPath(group: string, version: string): string {
  return group ? `apis/${group}/${version}` : `api/${version}`;
}

function hash(text: string): string {
  let h = 0;
  for (let i = 0; i < text.length; i++) h = (Math.imul(h, 31) + text.charCodeAt(i)) | 0;
  return (h >>> 0).toString(16).toUpperCase().padStart(8, '0');
}

export function openApiV3Root(registry: ResourceRegistry): Record<string, unknown> {
  const paths: Record<string, { serverRelativeURL: string }> = {};
  for (const [group, versions] of registry.groups()) {
    for (const version of versions) {
      const p = gvPath(group, version);
      const doc = JSON.stringify(openApiV3GroupVersion(registry, group, version));
      paths[p] = { serverRelativeURL: `/openapi/v3/${p}?hash=${hash(doc)}` };
    }
  }
  return { paths };
}

function parameter(name: string): Record<string, unknown> {
  return { name, in: 'query', schema: { type: 'string', uniqueItems: true } };
}

function objectPath(type: ResourceType): string {
  const prefix = type.group ? `/apis/${type.group}/${type.version}` : `/api/${type.version}`;
  return type.namespaced ? `${prefix}/namespaces/{namespace}/${type.plural}/{name}` : `${prefix}/${type.plural}/{name}`;
}

export function openApiV3GroupVersion(registry: ResourceRegistry, group: string, version: string): Record<string, unknown> | undefined {
  const types = registry.all().filter((t) => t.group === group && t.version === version);
  if (types.length === 0) return undefined;
  const paths: Record<string, unknown> = {};
  for (const type of types) {
    const gvk = { group: type.group, version: type.version, kind: type.kind };
    const json = { schema: { type: 'object' } };
    paths[objectPath(type)] = {
      get: { operationId: `read${type.kind}`, 'x-kubernetes-action': 'get', 'x-kubernetes-group-version-kind': gvk, responses: { '200': { description: 'OK' } } },
      patch: {
        operationId: `patch${type.kind}`,
        'x-kubernetes-action': 'patch',
        'x-kubernetes-group-version-kind': gvk,
        parameters: [parameter('dryRun'), parameter('fieldManager'), parameter('fieldValidation'), parameter('force')],
        requestBody: { content: { 'application/json-patch+json': json, 'application/merge-patch+json': json } },
        responses: { '200': { description: 'OK' } },
      },
    };
  }
  return {
    openapi: '3.0.0',
    info: { title: 'Kubernetes', version: 'v1.30.0' },
    paths,
    components: { schemas: Object.fromEntries(types.map((t) => [`${apiVersionOf(t)}.${t.kind}`, { type: 'object', 'x-kubernetes-group-version-kind': [{ group: t.group, version: t.version, kind: t.kind }] }])) },
  };
}
