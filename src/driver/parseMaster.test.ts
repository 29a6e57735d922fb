import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import { parseMaster } from './parseMaster.js';

describe('parseMaster', () => {
  it('reads local masters', () => {
    expect(parseMaster('local')).toEqual({ kind: 'local', threads: 1 });
    expect(parseMaster('local[3]')).toEqual({ kind: 'local', threads: 3 });
    expect(parseMaster('local[*]')).toEqual({ kind: 'local', threads: availableParallelism() });
  });

  it('reads local-cluster[N] and local-cluster[N,cores,memoryMiB]', () => {
    expect(parseMaster('local-cluster[2]')).toEqual({ kind: 'local-cluster', executors: 2, cores: 1, memoryMiB: undefined });
    expect(parseMaster('local-cluster[3, 2, 512]')).toEqual({ kind: 'local-cluster', executors: 3, cores: 2, memoryMiB: 512 });
  });

  it('reads k8s: executor pods, sized by the SparkJob', () => {
    expect(parseMaster('k8s')).toEqual({ kind: 'k8s' });
  });

  it.each(['local-cluster[0]', 'local-cluster[2,1]', 'local-cluster[*]', 'local-cluster[2,1,10]', 'local-cluster[100]', 'yarn', 'local[0]'])('refuses %s with a hint', (master) => {
    expect(() => parseMaster(master)).toThrow(/local-cluster|executor|memory/);
  });
});
