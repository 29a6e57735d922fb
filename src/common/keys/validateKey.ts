import { checkKeyDepth } from './checkKeyDepth.js';
import { KeyKind, keyKind } from './keyKind.js';

function validateAt(key: unknown, depth: number): void {
  const kind = keyKind(key);
  if (kind === KeyKind.Array) {
    checkKeyDepth(depth);
    const a = key as readonly unknown[];
    for (let i = 0; i < a.length; i++) validateAt(a[i], depth + 1);
  } else if (kind === KeyKind.Object) {
    checkKeyDepth(depth);
    const o = key as Record<string, unknown>;
    for (const name of Object.keys(o)) validateAt(o[name], depth + 1);
  }
}

/** Throws the invalid-key UserInputError unless `key`, and everything nested in it, may be a pair-RDD key. */
export function validateKey(key: unknown): void {
  validateAt(key, 0);
}
