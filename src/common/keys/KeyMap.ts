import { canonicalKey } from './canonicalKey.js';
import { invalidKeyError } from './invalidKeyError.js';

interface Entry<K, V> {
  readonly key: K;
  value: V;
}

/**
 * A Map whose keys compare by value, as `keyEquals` defines: 1 and '1' differ, NaN equals NaN,
 * 0 equals -0, arrays and plain objects by structure, Dates by time, Uint8Arrays by bytes.
 * Invalid keys (class instances, Maps, functions, symbols) throw UserInputError.
 *
 * Primitive keys live in one native Map, which already has exactly these semantics, so the
 * per-record hot path costs one `typeof` more than a plain Map. Array, object, Date and
 * Uint8Array keys live in a second native Map under their canonical string encoding (computed
 * on every call, so use primitive keys where speed matters); keeping them apart means a
 * canonical string can never collide with a primitive string key.
 *
 * Iteration yields primitive-keyed entries first, then the others, each group in insertion
 * order; callers should not rely on any order. Like Map, re-setting an existing key keeps the
 * originally inserted key object, and -0 is stored (and iterated) as 0.
 */
export class KeyMap<K, V> implements Iterable<[K, V]> {
  readonly #primitives = new Map<K, V>();
  readonly #composites = new Map<string, Entry<K, V>>();

  constructor(entries?: Iterable<readonly [K, V]> | null) {
    if (entries != null) for (const [k, v] of entries) this.set(k, v);
  }

  get size(): number {
    return this.#primitives.size + this.#composites.size;
  }

  get(key: K): V | undefined {
    if (typeof key === 'object' && key !== null) return this.#composites.get(canonicalKey(key))?.value;
    if (typeof key === 'function' || typeof key === 'symbol') throw invalidKeyError(key);
    return this.#primitives.get(key);
  }

  has(key: K): boolean {
    if (typeof key === 'object' && key !== null) return this.#composites.has(canonicalKey(key));
    if (typeof key === 'function' || typeof key === 'symbol') throw invalidKeyError(key);
    return this.#primitives.has(key);
  }

  set(key: K, value: V): this {
    if (typeof key === 'object' && key !== null) {
      const id = canonicalKey(key);
      const entry = this.#composites.get(id);
      if (entry === undefined) this.#composites.set(id, { key, value });
      else entry.value = value;
    } else {
      if (typeof key === 'function' || typeof key === 'symbol') throw invalidKeyError(key);
      this.#primitives.set(key, value);
    }
    return this;
  }

  delete(key: K): boolean {
    if (typeof key === 'object' && key !== null) return this.#composites.delete(canonicalKey(key));
    if (typeof key === 'function' || typeof key === 'symbol') throw invalidKeyError(key);
    return this.#primitives.delete(key);
  }

  clear(): void {
    this.#primitives.clear();
    this.#composites.clear();
  }

  /** Entries as fresh [key, value] pairs with the originally inserted key objects. */
  *entries(): IterableIterator<[K, V]> {
    yield* this.#primitives.entries();
    for (const e of this.#composites.values()) yield [e.key, e.value];
  }

  *keys(): IterableIterator<K> {
    yield* this.#primitives.keys();
    for (const e of this.#composites.values()) yield e.key;
  }

  *values(): IterableIterator<V> {
    yield* this.#primitives.values();
    for (const e of this.#composites.values()) yield e.value;
  }

  [Symbol.iterator](): IterableIterator<[K, V]> {
    return this.entries();
  }

  forEach(callback: (value: V, key: K, map: this) => void, thisArg?: unknown): void {
    for (const [k, v] of this.#primitives) callback.call(thisArg, v, k, this);
    for (const e of this.#composites.values()) callback.call(thisArg, e.value, e.key, this);
  }

  get [Symbol.toStringTag](): string {
    return 'KeyMap';
  }

  /** Private fields are invisible to console.log; show the entries like a Map does. */
  [Symbol.for('nodejs.util.inspect.custom')](
    _depth: number,
    options: object,
    inspect: (value: unknown, options: object) => string,
  ): string {
    return `KeyMap(${this.size}) ${inspect(new Map(this.entries()), options).replace(/^Map\(\d+\) /, '')}`;
  }
}
