import type { EnvVar, Toleration } from '../api/SparkJobSpec.js';
import type { KubeClient } from '../k8s/KubeClient.js';

/** How executor pods look: the SparkJob's `spec.executor`, resolved by the driver. */
export interface ExecutorPodTemplate {
  readonly image: string;
  readonly imagePullPolicy?: string | undefined;
  /** What the container runs before kuberdd's own executor arguments (`kuberdd executor` in the image). */
  readonly command: readonly string[];
  readonly instances: number;
  readonly cores: number;
  /** A Kubernetes quantity (`1Gi`): the container's memory request and limit. */
  readonly memory?: string | undefined;
  readonly serviceAccountName?: string | undefined;
  readonly env?: readonly EnvVar[] | undefined;
  readonly labels?: Readonly<Record<string, string>> | undefined;
  readonly annotations?: Readonly<Record<string, string>> | undefined;
  readonly nodeSelector?: Readonly<Record<string, string>> | undefined;
  readonly tolerations?: readonly Toleration[] | undefined;
  /** A partial PodTemplateSpec (`metadata`, `spec`) merged under what kuberdd sets. */
  readonly podTemplate?: Readonly<Record<string, unknown>> | undefined;
}

/**
 * What a driver running in a pod (`kuberdd driver`, master `k8s`) knows about its SparkJob:
 * the API client, the job's identity (executor pods are owned by the SparkJob, so they outlive
 * a driver attempt), the application's id and secret (the same for every attempt, so a
 * restarted driver can talk to the executors of the last one) and how to make executor pods.
 */
export interface KubernetesDriverSettings {
  readonly client: KubeClient;
  readonly namespace: string;
  readonly jobName: string;
  readonly jobUid: string;
  /** 1 for the first driver pod of the job, 2 for the first restart, … */
  readonly attempt: number;
  readonly appId: string;
  readonly secret: Uint8Array;
  /** Where executors find the job's secret: env entries with `valueFrom.secretKeyRef`, set in executor pods instead of plain values. */
  readonly secretEnv: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  readonly executor: ExecutorPodTemplate;
}
