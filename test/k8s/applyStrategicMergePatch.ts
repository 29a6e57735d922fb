// Strategic merge patch for built-in kinds. Lists the real server merges by key (containers and
// env by name, conditions by type, ownerReferences by uid, …) merge here the same way; lists
// not in the table replace, as in a JSON merge patch. Directives: `$patch: replace|delete`,
// `$deleteFromPrimitiveList/<field>`, `$setElementOrder/<field>` and `$retainKeys` (the last two
// are accepted and ignored).

/** field name → merge key ('' for a primitive list merged as a set). */
const MERGE_KEYS: Record<string, string> = {
  containers: 'name',
  initContainers: 'name',
  ephemeralContainers: 'name',
  env: 'name',
  volumes: 'name',
  volumeMounts: 'mountPath',
  volumeDevices: 'devicePath',
  ports: 'containerPort',
  conditions: 'type',
  containerStatuses: 'name',
  initContainerStatuses: 'name',
  ownerReferences: 'uid',
  imagePullSecrets: 'name',
  tolerations: 'key',
  hostAliases: 'ip',
  finalizers: '',
  topologySpreadConstraints: 'topologyKey',
  addresses: 'type',
};

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function mergeList(field: string, target: unknown, patch: unknown[]): unknown[] {
  const mergeKey = MERGE_KEYS[field];
  if (mergeKey === undefined || !Array.isArray(target)) {
    return patch.filter((item) => !(isObject(item) && item.$patch === 'delete')).map((item) => stripDirectives(item));
  }
  if (mergeKey === '') {
    const result = [...target];
    for (const item of patch) if (!result.some((x) => JSON.stringify(x) === JSON.stringify(item))) result.push(item);
    return result;
  }
  if (patch.some((item) => isObject(item) && item.$patch === 'replace')) {
    return patch.filter((item) => !(isObject(item) && item.$patch === 'replace')).map((item) => stripDirectives(item));
  }
  const result = target.map((x) => structuredClone(x));
  for (const item of patch) {
    if (!isObject(item)) continue;
    const index = result.findIndex((x) => isObject(x) && x[mergeKey] === item[mergeKey]);
    if (item.$patch === 'delete') {
      if (index >= 0) result.splice(index, 1);
    } else if (index >= 0) {
      result[index] = applyStrategicMergePatch(result[index], item);
    } else {
      result.push(stripDirectives(item));
    }
  }
  return result;
}

function stripDirectives(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stripDirectives);
  if (!isObject(value)) return value;
  const out: Json = {};
  for (const [k, v] of Object.entries(value)) if (!k.startsWith('$')) out[k] = stripDirectives(v);
  return out;
}

export function applyStrategicMergePatch(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return structuredClone(patch);
  if (patch.$patch === 'replace') return stripDirectives(patch);
  if (patch.$patch === 'delete') return undefined;
  const result: Json = isObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (key.startsWith('$setElementOrder/') || key === '$retainKeys' || key === '$patch') continue;
    if (key.startsWith('$deleteFromPrimitiveList/')) {
      const field = key.slice('$deleteFromPrimitiveList/'.length);
      const current = result[field];
      if (Array.isArray(current) && Array.isArray(value)) {
        result[field] = current.filter((x) => !value.some((v) => JSON.stringify(v) === JSON.stringify(x)));
      }
      continue;
    }
    if (value === null) delete result[key];
    else if (Array.isArray(value)) result[key] = mergeList(key, result[key], value);
    else if (isObject(value)) {
      const merged = applyStrategicMergePatch(result[key], value);
      if (merged === undefined) delete result[key];
      else result[key] = merged;
    } else result[key] = value;
  }
  return result;
}
