import { describe, expect, it } from 'vitest';
import { jsGlobals } from './jsGlobals.js';

describe('jsGlobals', () => {
  it('contains only names that exist on this runtime (except the executor-provided __name)', () => {
    const absent = [...jsGlobals].filter((name) => name !== '__name' && !(name in globalThis));
    expect(absent).toEqual([]);
  });

  it('includes ECMAScript built-ins and Node globals executors have', () => {
    for (const name of ['Math', 'JSON', 'Map', 'BigInt64Array', 'AggregateError', 'Intl', 'undefined', 'console', 'Buffer', 'process', 'structuredClone', 'crypto', '__name']) {
      expect(jsGlobals.has(name), name).toBe(true);
    }
  });

  it('excludes eval and module-scoped names', () => {
    for (const name of ['eval', 'require', 'module', 'exports', '__dirname', '__filename', 'import']) {
      expect(jsGlobals.has(name), name).toBe(false);
    }
  });
});
