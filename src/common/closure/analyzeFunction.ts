import { freeVariables } from './freeVariables.js';
import { functionExpressionSource } from './functionExpressionSource.js';

/** What capturing needs to know about a function's source. */
export interface FunctionAnalysis {
  /** The source as a single function/class expression (method shorthand converted). */
  readonly expression: string;
  /** Sorted, deduplicated free variable names. */
  readonly freeVariables: readonly string[];
}

// Iterative jobs capture the same lambdas on every iteration; parsing is the expensive part.
// Bounded because sources built with `new Function` could otherwise grow it without limit.
const cacheLimit = 2048;
const cache = new Map<string, FunctionAnalysis>();

/** Analyses `source` (`fn.toString()` output), cached per source string. Throws ClosureError. */
export function analyzeFunction(source: string): FunctionAnalysis {
  const cached = cache.get(source);
  if (cached !== undefined) return cached;
  const analysis: FunctionAnalysis = {
    expression: functionExpressionSource(source),
    freeVariables: Object.freeze(freeVariables(source)),
  };
  if (cache.size >= cacheLimit) {
    const oldest = cache.keys().next();
    if (oldest.done !== true) cache.delete(oldest.value);
  }
  cache.set(source, analysis);
  return analysis;
}
