/**
 * A small, fast, seeded PRNG (SplitMix32 seeding + xoshiro128**): the same seed gives the
 * same sequence in every process, which sampling needs so that a recomputed partition
 * samples exactly the same records.
 */
export class SeededRandom {
  #a: number;
  #b: number;
  #c: number;
  #d: number;

  constructor(seed: number) {
    // Fold a double seed (Date.now(), 2^53 range) into 32 bits, then expand with SplitMix32.
    let s = (Math.floor(seed) ^ Math.floor(seed / 0x100000000)) >>> 0;
    const next = (): number => {
      s = (s + 0x9e3779b9) >>> 0;
      let z = s;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.#a = next();
    this.#b = next();
    this.#c = next();
    this.#d = next() | 1;
  }

  /** A uint32. */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.#b, 5), 7), 9) >>> 0;
    const t = this.#b << 9;
    this.#c ^= this.#a;
    this.#d ^= this.#b;
    this.#b ^= this.#c;
    this.#a ^= this.#d;
    this.#c ^= t;
    this.#d = rotl(this.#d, 11);
    return result;
  }

  /** A double in [0, 1). */
  next(): number {
    return (this.nextUint32() * 0x200000 + (this.nextUint32() >>> 11)) / 0x20000000000000;
  }

  /** A whole number in [0, n). */
  nextInt(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** A Poisson-distributed count with the given mean (Knuth's method; fine for the small means sampling uses). */
  nextPoisson(mean: number): number {
    if (mean <= 0) return 0;
    if (mean > 30) {
      // Normal approximation keeps this O(1) for large means.
      const u = Math.max(this.next(), 1e-300);
      const v = this.next();
      const z = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
      return Math.max(0, Math.round(mean + Math.sqrt(mean) * z));
    }
    const limit = Math.exp(-mean);
    let k = 0;
    let p = this.next();
    while (p > limit) {
      k++;
      p *= this.next();
    }
    return k;
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}
