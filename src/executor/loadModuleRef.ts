import { tsImport } from 'tsx/esm/api';
import type { ClosureRef } from '../common/closure/shippable.js';
import { UserInputError } from '../common/errors/UserInputError.js';

/**
 * Loads a module named in a closure environment (`sc.module('lodash')`,
 * `sc.module('./helpers.ts')`) on the executor, resolved from the job file's directory, so
 * TypeScript helpers and npm packages work the same on every executor.
 */
export async function loadModuleRef(ref: ClosureRef): Promise<unknown> {
  const specifier = String(ref.specifier);
  const base = String(ref.base);
  try {
    return await tsImport(specifier, base);
  } catch (error) {
    throw new UserInputError(
      `module \`${specifier}\` (resolved from ${base}) could not be loaded on executor: ${(error as Error).message}. ` +
        `Install npm packages next to the job (npm install) and ship helper files with it.`,
      { cause: error },
    );
  }
}
