import { latestEcmaVersion, parse } from 'espree';
import { analyze } from 'eslint-scope';
import { functionExpressionSource } from './functionExpressionSource.js';

type ScopeInput = Parameters<typeof analyze>[0];

/**
 * The names a function reads or writes from outside itself, deduplicated and sorted: the
 * variables an executor would have to provide. `source` is `fn.toString()` output (arrow,
 * function, async/generator, class, or method shorthand). `this` is not a variable and
 * `arguments` belongs to the enclosing non-arrow function, so neither is reported unless an
 * arrow at the top reads `arguments`.
 *
 * Throws ClosureError for native/bound functions, accessors and unparsable sources.
 */
export function freeVariables(source: string): string[] {
  const expression = functionExpressionSource(source);
  const program = parse(`(${expression}\n)`, { ecmaVersion: 'latest', sourceType: 'script', range: true });
  // ignoreEval: a direct eval() would otherwise make every scope dynamic and report all locals
  // as free; `eval` itself is still reported (and is not an allowed global).
  const scopes = analyze(program as unknown as ScopeInput, {
    // eslint-scope wants a year-style version; espree numbers editions (ES2015 = 6).
    ecmaVersion: latestEcmaVersion + 2009,
    sourceType: 'script',
    impliedStrict: true,
    ignoreEval: true,
  });
  const names = new Set<string>();
  for (const reference of scopes.globalScope?.through ?? []) names.add(reference.identifier.name);
  return [...names].sort();
}
