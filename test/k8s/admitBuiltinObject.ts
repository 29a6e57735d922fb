// Defaults and validation for the built-in kinds, reduced to what clients observe: pods get the
// defaults and Pending status the real server gives them, secrets fold `stringData` into
// base64 `data`, services get a cluster IP. Returns field errors for the 422 answer.
import { FieldError } from './FieldError.js';
import type { KubeObject, ResourceType } from './ResourceType.js';

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

let nextServiceIp = 10;

export function admitBuiltinObject(type: ResourceType, object: KubeObject, old: KubeObject | undefined): FieldError[] {
  const errors: FieldError[] = [];
  if (type.group === '' && type.plural === 'pods') admitPod(object, old, errors);
  if (type.group === '' && type.plural === 'secrets') admitSecret(object, errors);
  if (type.group === '' && type.plural === 'configmaps') admitConfigMap(object, errors);
  if (type.group === '' && type.plural === 'services' && !old) {
    const spec = (object.spec ?? {}) as Json;
    spec.type ??= 'ClusterIP';
    if (spec.clusterIP === undefined) spec.clusterIP = `10.96.${Math.floor(nextServiceIp / 250)}.${(nextServiceIp++ % 250) + 1}`;
    object.spec = spec;
  }
  if (type.group === '' && type.plural === 'namespaces' && !old) {
    object.status = { phase: 'Active' };
    object.spec = { finalizers: ['kubernetes'] };
  }
  return errors;
}

function admitPod(pod: KubeObject, old: KubeObject | undefined, errors: FieldError[]): void {
  if (!isObject(pod.spec)) {
    errors.push(FieldError.required('spec.containers'));
    return;
  }
  const spec = pod.spec;
  const containers = spec.containers;
  if (!Array.isArray(containers) || containers.length === 0) errors.push(FieldError.required('spec.containers'));
  const names = new Set<string>();
  (Array.isArray(containers) ? containers : []).forEach((c: unknown, i) => {
    const at = `spec.containers[${i}]`;
    if (!isObject(c)) {
      errors.push(FieldError.invalid(at, c, 'must be an object'));
      return;
    }
    if (typeof c.name !== 'string' || c.name === '') errors.push(FieldError.required(`${at}.name`));
    else if (names.has(c.name)) errors.push(FieldError.duplicate(`${at}.name`, c.name));
    else names.add(c.name);
    if (typeof c.image !== 'string' || c.image === '') errors.push(FieldError.required(`${at}.image`));
    c.terminationMessagePath ??= '/dev/termination-log';
    c.terminationMessagePolicy ??= 'File';
    c.imagePullPolicy ??= typeof c.image === 'string' && (c.image.endsWith(':latest') || !c.image.includes(':')) ? 'Always' : 'IfNotPresent';
    c.resources ??= {};
  });
  const restartPolicy = spec.restartPolicy ?? 'Always';
  if (!['Always', 'OnFailure', 'Never'].includes(String(restartPolicy))) {
    errors.push(FieldError.notSupported('spec.restartPolicy', restartPolicy, ['Always', 'OnFailure', 'Never']));
  }
  spec.restartPolicy = restartPolicy;
  spec.terminationGracePeriodSeconds ??= 30;
  spec.dnsPolicy ??= 'ClusterFirst';
  spec.schedulerName ??= 'default-scheduler';
  spec.securityContext ??= {};
  spec.enableServiceLinks ??= true;
  if (!old) {
    pod.status = { phase: 'Pending', qosClass: 'BestEffort' };
  } else {
    // Only a few pod spec fields are mutable on a real server; the stand-in enforces the main one.
    const oldSpec = (old.spec ?? {}) as Json;
    if (oldSpec.nodeName !== undefined && spec.nodeName !== oldSpec.nodeName) {
      errors.push(FieldError.forbidden('spec', 'pod updates may not change fields other than `spec.containers[*].image`, `spec.activeDeadlineSeconds`, `spec.tolerations` (only additions to existing tolerations) or `spec.terminationGracePeriodSeconds`'));
    }
  }
}

function admitSecret(secret: KubeObject, errors: FieldError[]): void {
  secret.type ??= 'Opaque';
  const data: Json = isObject(secret.data) ? secret.data : {};
  for (const [key, value] of Object.entries(data)) {
    if (typeof value !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(value)) {
      errors.push(FieldError.invalid(`data[${key}]`, '<secret contents redacted>', 'illegal base64 data'));
    }
  }
  if (isObject(secret.stringData)) {
    for (const [key, value] of Object.entries(secret.stringData)) data[key] = Buffer.from(String(value)).toString('base64');
    delete secret.stringData;
  }
  if (Object.keys(data).length > 0) secret.data = data;
  for (const key of Object.keys(data)) checkDataKey(`data[${key}]`, key, errors);
}

function admitConfigMap(configMap: KubeObject, errors: FieldError[]): void {
  for (const field of ['data', 'binaryData'] as const) {
    const data = configMap[field];
    if (data === undefined) continue;
    if (!isObject(data)) {
      errors.push(FieldError.invalid(field, data, 'must be a map of strings'));
      continue;
    }
    for (const [key, value] of Object.entries(data)) {
      checkDataKey(`${field}[${key}]`, key, errors);
      if (typeof value !== 'string') errors.push(FieldError.invalid(`${field}[${key}]`, value, 'must be a string'));
    }
  }
}

function checkDataKey(field: string, key: string, errors: FieldError[]): void {
  if (!/^[-._a-zA-Z0-9]+$/.test(key) || key.length > 253) {
    errors.push(FieldError.invalid(field, key, "a valid config key must consist of alphanumeric characters, '-', '_' or '.'"));
  }
}
