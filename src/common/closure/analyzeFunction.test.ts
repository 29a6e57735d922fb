import { expect, it } from 'vitest';
import { analyzeFunction } from './analyzeFunction.js';

it('returns the expression form and free variables, cached per source', () => {
  const first = analyzeFunction('scale(x) { return x * factor }');
  expect(first).toEqual({ expression: 'function (x) { return x * factor }', freeVariables: ['factor'] });
  expect(analyzeFunction('scale(x) { return x * factor }')).toBe(first);
});
