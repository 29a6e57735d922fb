import type { SparkJobSpec } from './SparkJobSpec.js';
import type { SparkJobStatus } from './SparkJobStatus.js';

/** A SparkJob object as the API server returns it. */
export interface SparkJob {
  readonly apiVersion: 'kuberdd.io/v1alpha1';
  readonly kind: 'SparkJob';
  readonly metadata: {
    readonly name: string;
    readonly namespace: string;
    readonly uid: string;
    readonly resourceVersion: string;
    readonly generation?: number;
    readonly creationTimestamp?: string;
    readonly deletionTimestamp?: string;
    readonly labels?: Readonly<Record<string, string>>;
    readonly annotations?: Readonly<Record<string, string>>;
  };
  readonly spec: SparkJobSpec;
  readonly status?: SparkJobStatus;
}
