/**
 * Running count, mean, variance (Welford), min and max; partition counters merge exactly
 * (Chan et al.), which is how stats() combines partitions.
 */
export class StatCounter {
  count = 0;
  mean = 0;
  /** Sum of squared deviations from the mean. */
  m2 = 0;
  min = Infinity;
  max = -Infinity;

  merge(x: number): this {
    const delta = x - this.mean;
    this.count++;
    this.mean += delta / this.count;
    this.m2 += delta * (x - this.mean);
    if (x < this.min) this.min = x;
    if (x > this.max) this.max = x;
    return this;
  }

  mergeStats(other: StatCounter): this {
    if (other.count === 0) return this;
    if (this.count === 0) {
      Object.assign(this, other.toJSON());
      return this;
    }
    const delta = other.mean - this.mean;
    const n = this.count + other.count;
    this.mean = (this.mean * this.count + other.mean * other.count) / n;
    this.m2 += other.m2 + (delta * delta * this.count * other.count) / n;
    this.count = n;
    this.min = Math.min(this.min, other.min);
    this.max = Math.max(this.max, other.max);
    return this;
  }

  get sum(): number {
    return this.mean * this.count;
  }

  /** Population variance; NaN for an empty set, as in Spark. */
  get variance(): number {
    return this.count === 0 ? NaN : this.m2 / this.count;
  }

  get sampleVariance(): number {
    return this.count <= 1 ? NaN : this.m2 / (this.count - 1);
  }

  get stdev(): number {
    return Math.sqrt(this.variance);
  }

  get sampleStdev(): number {
    return Math.sqrt(this.sampleVariance);
  }

  toJSON(): { count: number; mean: number; m2: number; min: number; max: number } {
    return { count: this.count, mean: this.mean, m2: this.m2, min: this.min, max: this.max };
  }

  static fromJSON(data: { count: number; mean: number; m2: number; min: number; max: number }): StatCounter {
    return Object.assign(new StatCounter(), data);
  }

  toString(): string {
    return `(count: ${this.count}, mean: ${this.mean}, stdev: ${this.stdev}, max: ${this.max}, min: ${this.min})`;
  }
}
