import type { KubeObject } from './KubeObject.js';

/** A core/v1 Event, what `kubectl describe` lists under Events. */
export interface KubeEvent extends KubeObject {
  readonly involvedObject: {
    readonly apiVersion?: string;
    readonly kind?: string;
    readonly name?: string;
    readonly namespace?: string;
    readonly uid?: string;
    readonly resourceVersion?: string;
  };
  readonly reason: string;
  readonly message: string;
  readonly type: 'Normal' | 'Warning';
  readonly source?: { readonly component?: string; readonly host?: string };
  readonly firstTimestamp?: string;
  readonly lastTimestamp?: string;
  readonly eventTime?: string | null;
  readonly count?: number;
  readonly reportingComponent?: string;
  readonly reportingInstance?: string;
  readonly action?: string;
}
