/** Where in a value the codec failed, for error messages. */
export interface UnencodableSite {
  /** JS-like path from the root, e.g. `[3][1].handler` or `byUser<value 2>` inside a Map (empty for the root itself). */
  readonly path: string;
  /** What is there, e.g. "a function (handler)" or "a reference back to [3]" for a cycle. */
  readonly what: string;
}

function pathStep(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  if (!/^[A-Za-z_$][\w$]*$/.test(key)) return `${path}[${JSON.stringify(key)}]`;
  return path === '' ? key : `${path}.${key}`;
}

/**
 * Finds the first function, symbol or cycle in `value` — the things no codec can carry. Only
 * used after an encode has failed, to say where, so it favours clarity over speed.
 */
export function findUnencodable(value: unknown): UnencodableSite | undefined {
  const onPath = new Map<object, string>();
  const visit = (v: unknown, path: string): UnencodableSite | undefined => {
    if (typeof v === 'function') return { path, what: `a function${v.name ? ` (${v.name})` : ''}` };
    if (typeof v === 'symbol') return { path, what: `a symbol (${String(v)})` };
    if (typeof v !== 'object' || v === null || ArrayBuffer.isView(v)) return undefined;
    const seenAt = onPath.get(v);
    if (seenAt !== undefined) return { path, what: `a reference back to ${seenAt || 'the root'} (a cycle)` };
    onPath.set(v, path);
    let found: UnencodableSite | undefined;
    if (v instanceof Map) {
      let i = 0;
      for (const [k, x] of v) {
        found = visit(k, `${path}<key ${i}>`) ?? visit(x, `${path}<value ${i}>`);
        if (found) break;
        i++;
      }
    } else if (v instanceof Set) {
      let i = 0;
      for (const x of v) {
        found = visit(x, `${path}<element ${i++}>`);
        if (found) break;
      }
    } else if (Array.isArray(v)) {
      for (let i = 0; i < v.length && !found; i++) found = visit(v[i], pathStep(path, i));
    } else {
      for (const k of Object.keys(v)) {
        found = visit((v as Record<string, unknown>)[k], pathStep(path, k));
        if (found) break;
      }
    }
    onPath.delete(v);
    return found;
  };
  return visit(value, '');
}
