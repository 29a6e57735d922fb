import { availableParallelism } from 'node:os';
import { UserInputError } from '../common/errors/UserInputError.js';

export type Master = { readonly kind: 'local'; readonly threads: number };

/** `local`, `local[N]` or `local[*]`. */
export function parseMaster(master: string): Master {
  if (master === 'local') return { kind: 'local', threads: 1 };
  const m = /^local\[(\*|[1-9]\d*)\]$/.exec(master);
  if (m) return { kind: 'local', threads: m[1] === '*' ? availableParallelism() : Number(m[1]) };
  throw new UserInputError(
    `unknown master "${master}": use local, local[N] (N worker threads) or local[*] (one per core)`,
    { code: 'BAD_MASTER' },
  );
}
