import type { PodCondition } from '../k8s/Pod.js';

/** What the operator makes of the current attempt's driver pod. */
export type DriverPodState =
  | { readonly kind: 'missing' }
  | {
      readonly kind: 'pending';
      /** Why it is not running, when Kubernetes says (ErrImagePull, ImagePullBackOff, Unschedulable, …). */
      readonly reason: string | undefined;
      readonly message: string | undefined;
      /** Time left before startupDeadlineSeconds; <= 0 means it is over. */
      readonly startupLeftMs: number;
    }
  | { readonly kind: 'running' }
  | { readonly kind: 'succeeded' }
  | {
      readonly kind: 'failed';
      readonly exitCode: number | undefined;
      readonly reason: string;
      readonly message: string | undefined;
      readonly conditions: readonly PodCondition[];
    };
