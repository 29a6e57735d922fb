import { describe, expect, it } from 'vitest';
import { Accumulator } from './Accumulator.js';
import { builtinAccumulatorSpecs, type AccumulatorSpec } from './AccumulatorSpec.js';

type AnySpec = AccumulatorSpec<unknown, unknown, unknown>;
const long = builtinAccumulatorSpecs.long as unknown as AnySpec;
const collection = builtinAccumulatorSpecs.collection as unknown as AnySpec;

describe('Accumulator', () => {
  it('adds, merges another accumulator, and reports value, count and avg', () => {
    const a = new Accumulator<number, number>(0, 'a', long as AccumulatorSpec<number, unknown, number>);
    const b = new Accumulator<number, number>(1, 'b', long as AccumulatorSpec<number, unknown, number>);
    a.add(2);
    a.add(3);
    b.add(5);
    a.merge(b);
    expect(a.value).toBe(10);
    expect(a.count).toBe(3);
    expect(a.avg).toBeCloseTo(10 / 3);
    a.reset();
    expect(a.value).toBe(0);
  });

  it('long accumulators refuse fractions; merging different kinds is an error', () => {
    const a = new Accumulator<number, number>(0, undefined, long as AccumulatorSpec<number, unknown, number>);
    expect(() => a.add(1.5)).toThrow(/whole number/);
    const c = new Accumulator<unknown, unknown>(1, undefined, collection);
    expect(() => (a as unknown as Accumulator<unknown, unknown>).merge(c)).toThrow(/cannot merge a collection/);
  });

  it('routes adds to a sink when one is given (executor side)', () => {
    const seen: [number, number][] = [];
    const a = new Accumulator<number, number>(7, undefined, long as AccumulatorSpec<number, unknown, number>, (id, v) => seen.push([id, v]));
    a.add(4);
    expect(seen).toEqual([[7, 4]]);
    expect(a.value).toBe(0);
  });
});
