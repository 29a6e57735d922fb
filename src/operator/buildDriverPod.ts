import { sparkJobLabels } from '../api/sparkJobLabels.js';
import { sparkJobResource } from '../api/sparkJobResource.js';
import type { SparkJob } from '../api/SparkJob.js';
import type { Pod } from '../k8s/Pod.js';
import { driverPodName } from './driverPodName.js';
import { jobSecretName } from './jobSecretName.js';

export interface DriverPodSettings {
  /** What runs in the container before the job's own arguments; `kuberdd driver` in the image. */
  readonly driverCommand: readonly string[];
  /** The NATS URL when the SparkJob names none. */
  readonly defaultNatsUrl: string | undefined;
}

/** Where a ConfigMap or inline job file is mounted in the driver container. */
export const JOB_MOUNT_DIR = '/opt/kuberdd/job';
/** Key of the signing key in the job Secret. */
export const SIGNING_KEY = 'signing-key';
/** Key of inline job source in the job Secret. */
export const MAIN_SOURCE_KEY = 'main-source';

/**
 * The driver pod of one attempt of a job. It runs
 * `<driverCommand> [--conf key=value]… <job file> [args…]` with the job's identity in the
 * environment (KUBERDD_JOB_NAMESPACE, KUBERDD_JOB_NAME, KUBERDD_JOB_UID, KUBERDD_APP_ID,
 * KUBERDD_ATTEMPT, KUBERDD_POD_NAME, KUBERDD_NATS_URL, KUBERDD_SECRET from the job Secret).
 * The pod's restartPolicy is Never: restarts are the operator's, as new pods of new attempts.
 */
export function buildDriverPod(job: SparkJob, attempt: number, settings: DriverPodSettings): Pod {
  const { name, namespace, uid } = job.metadata;
  const spec = job.spec;
  const driver = spec.driver ?? {};
  const template = (driver.podTemplate ?? {}) as { metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> }; spec?: Record<string, unknown> };
  const natsUrl = spec.nats?.url ?? settings.defaultNatsUrl;

  const volumes: Record<string, unknown>[] = [];
  const volumeMounts: Record<string, unknown>[] = [];
  let mainFile: string;
  if (spec.main.configMap !== undefined) {
    volumes.push({ name: 'job-main', configMap: { name: spec.main.configMap.name, items: [{ key: spec.main.configMap.key, path: spec.main.configMap.key }] } });
    volumeMounts.push({ name: 'job-main', mountPath: JOB_MOUNT_DIR, readOnly: true });
    mainFile = `${JOB_MOUNT_DIR}/${spec.main.configMap.key}`;
  } else if (spec.main.inline !== undefined) {
    const fileName = spec.main.inline.fileName ?? 'job.ts';
    volumes.push({ name: 'job-main', secret: { secretName: jobSecretName(name), items: [{ key: MAIN_SOURCE_KEY, path: fileName }] } });
    volumeMounts.push({ name: 'job-main', mountPath: JOB_MOUNT_DIR, readOnly: true });
    mainFile = `${JOB_MOUNT_DIR}/${fileName}`;
  } else {
    mainFile = spec.main.path ?? '';
  }

  const conf = Object.entries(spec.conf ?? {}).flatMap(([key, value]) => ['--conf', `${key}=${value}`]);
  const credentials = spec.nats?.credentialsSecret?.name;
  const env: Record<string, unknown>[] = [
    ...(driver.env ?? []).map((v) => ({ ...v })),
    { name: 'KUBERDD_JOB_NAMESPACE', value: namespace },
    { name: 'KUBERDD_JOB_NAME', value: name },
    { name: 'KUBERDD_JOB_UID', value: uid },
    // One application id for every attempt, so a restarted driver finds the executors of the last one.
    { name: 'KUBERDD_APP_ID', value: uid },
    { name: 'KUBERDD_ATTEMPT', value: String(attempt) },
    { name: 'KUBERDD_POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
    { name: 'KUBERDD_SECRET', valueFrom: { secretKeyRef: { name: jobSecretName(name), key: SIGNING_KEY } } },
    ...(natsUrl === undefined ? [] : [{ name: 'KUBERDD_NATS_URL', value: natsUrl }]),
    ...(credentials === undefined
      ? []
      : [
          { name: 'KUBERDD_NATS_USER', valueFrom: { secretKeyRef: { name: credentials, key: 'user', optional: true } } },
          { name: 'KUBERDD_NATS_PASSWORD', valueFrom: { secretKeyRef: { name: credentials, key: 'password', optional: true } } },
          { name: 'KUBERDD_NATS_TOKEN', valueFrom: { secretKeyRef: { name: credentials, key: 'token', optional: true } } },
        ]),
  ];
  const memory = driver.memory ?? '1Gi';
  const cores = driver.cores ?? 1;
  const templateSpec = template.spec ?? {};

  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: driverPodName(name, attempt),
      namespace,
      labels: {
        ...template.metadata?.labels,
        ...driver.labels,
        'app.kubernetes.io/managed-by': 'kuberdd',
        [sparkJobLabels.job]: name,
        [sparkJobLabels.role]: 'driver',
        [sparkJobLabels.attempt]: String(attempt),
      },
      annotations: { ...template.metadata?.annotations, ...driver.annotations },
      ownerReferences: [{ apiVersion: sparkJobResource.apiVersion, kind: sparkJobResource.kind, name, uid, controller: true, blockOwnerDeletion: true }],
    },
    spec: {
      ...templateSpec,
      restartPolicy: 'Never',
      serviceAccountName: driver.serviceAccountName ?? 'kuberdd-driver',
      ...(driver.nodeSelector === undefined ? {} : { nodeSelector: { ...(templateSpec['nodeSelector'] as object | undefined), ...driver.nodeSelector } }),
      ...(driver.tolerations === undefined ? {} : { tolerations: [...((templateSpec['tolerations'] as unknown[] | undefined) ?? []), ...driver.tolerations] }),
      ...(volumes.length === 0 ? {} : { volumes: [...((templateSpec['volumes'] as unknown[] | undefined) ?? []), ...volumes] }),
      containers: [
        {
          name: 'driver',
          image: spec.image,
          imagePullPolicy: spec.imagePullPolicy ?? 'IfNotPresent',
          command: [...settings.driverCommand],
          args: [...conf, mainFile, ...(spec.args ?? [])],
          env,
          resources: { requests: { cpu: String(cores), memory }, limits: { memory } },
          ...(volumeMounts.length === 0 ? {} : { volumeMounts }),
        },
      ],
    },
  };
}
