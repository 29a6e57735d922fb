/** A container environment variable, as in a pod spec (`valueFrom` is passed through). */
export interface EnvVar {
  readonly name: string;
  readonly value?: string;
  readonly valueFrom?: Record<string, unknown>;
}

export interface Toleration {
  readonly key?: string;
  readonly operator?: 'Exists' | 'Equal';
  readonly value?: string;
  readonly effect?: 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute';
  readonly tolerationSeconds?: number;
}

/** What the driver and the executor pods have in common. */
export interface SparkJobPodSpec {
  readonly cores?: number;
  /** A Kubernetes quantity: request and limit of the container. */
  readonly memory?: string;
  readonly serviceAccountName?: string;
  readonly env?: readonly EnvVar[];
  readonly labels?: Readonly<Record<string, string>>;
  readonly annotations?: Readonly<Record<string, string>>;
  readonly nodeSelector?: Readonly<Record<string, string>>;
  readonly tolerations?: readonly Toleration[];
  /** A partial PodTemplateSpec (`metadata`, `spec`) merged under what kuberdd sets. */
  readonly podTemplate?: Record<string, unknown>;
}

export interface SparkJobExecutorSpec extends SparkJobPodSpec {
  readonly instances?: number;
}

/** The job module: exactly one of the three (the CRD checks it). */
export interface SparkJobMain {
  /** An absolute path inside the image. */
  readonly path?: string;
  readonly configMap?: { readonly name: string; readonly key: string };
  readonly inline?: { readonly fileName?: string; readonly source: string };
}

export interface FailurePolicyRule {
  /** FailJob ends the job; Ignore restarts the driver without counting the failure; Count counts it. */
  readonly action: 'FailJob' | 'Ignore' | 'Count';
  readonly onExitCodes?: { readonly operator: 'In' | 'NotIn'; readonly values: readonly number[] };
  readonly onPodConditions?: readonly { readonly type: string; readonly status?: 'True' | 'False' | 'Unknown' }[];
}

export interface RestartPolicy {
  readonly type?: 'Never' | 'OnFailure' | 'Always';
  readonly maxAttempts?: number;
  readonly backoff?: { readonly initialSeconds?: number; readonly maxSeconds?: number; readonly factor?: number };
}

/** `spec` of a SparkJob (crds/sparkjob.yaml). Optional fields get the CRD's defaults from the API server. */
export interface SparkJobSpec {
  readonly image: string;
  readonly imagePullPolicy?: 'Always' | 'IfNotPresent' | 'Never';
  readonly main: SparkJobMain;
  readonly args?: readonly string[];
  readonly conf?: Readonly<Record<string, string>>;
  readonly driver?: SparkJobPodSpec;
  readonly executor?: SparkJobExecutorSpec;
  readonly nats?: { readonly url: string; readonly credentialsSecret?: { readonly name: string } };
  readonly restartPolicy?: RestartPolicy;
  readonly failurePolicy?: { readonly rules?: readonly FailurePolicyRule[] };
  readonly activeDeadlineSeconds?: number;
  readonly startupDeadlineSeconds?: number;
  readonly ttlSecondsAfterFinished?: number;
  readonly suspend?: boolean;
}
