import { describe, expect, it } from 'vitest';
import { isEnvIdentifier } from './isEnvIdentifier.js';

describe('isEnvIdentifier', () => {
  it.each(['k', 'threshold', '_x', '$', 'café', 'a1', 'Math'])('accepts %s', (name) => {
    expect(isEnvIdentifier(name)).toBe(true);
  });

  it.each(['', '1a', 'a-b', 'a b', 'class', 'let', 'yield', 'await', 'eval', 'arguments', '__name', '__kuberddData', 'x;y'])(
    'rejects %j',
    (name) => {
      expect(isEnvIdentifier(name)).toBe(false);
    },
  );
});
