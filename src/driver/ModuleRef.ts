import { toClosureRef, type ClosureRef, type Shippable } from '../common/closure/shippable.js';

/**
 * A module a shipped function needs: an npm package or one of the job's own files. It is
 * imported on each executor (resolved from the job's directory) before tasks run, and bound
 * to its environment name: `rdd.map(x => _.kebabCase(x), { _: sc.module('lodash', 'default') })`.
 */
export class ModuleRef implements Shippable {
  constructor(
    readonly specifier: string,
    /** A file URL the specifier is resolved from (the job file). */
    readonly base: string,
    readonly exportName: string | undefined,
  ) {}

  [toClosureRef](): ClosureRef {
    return {
      $ref: 'module',
      specifier: this.specifier,
      base: this.base,
      ...(this.exportName !== undefined ? { exportName: this.exportName } : {}),
    };
  }
}
