import { expect, it } from 'vitest';
import { listNames } from './listNames.js';

it('lists names in prose', () => {
  expect(listNames([])).toBe('');
  expect(listNames(['a'])).toBe('`a`');
  expect(listNames(['a', 'b'])).toBe('`a` and `b`');
  expect(listNames(['a', 'b', 'c'])).toBe('`a`, `b` and `c`');
});
