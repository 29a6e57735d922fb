import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

/*
 * Imports point one way only, down this list (DEVELOPERS.md). A layer may import itself and
 * any layer below it; `transport/`, `k8s/` and `api/` are siblings that may not import each
 * other. Third-party rules: only transport/ imports `nats`, only k8s/ imports
 * @kubernetes/client-node, and operator/ never imports the engine.
 */
const order = ['cli', 'operator', 'driver', 'executor', 'scheduler', 'shuffle', 'storage', 'transport', 'k8s', 'api', 'engine', 'common'];
const rank: Record<string, number> = {
  cli: 0,
  operator: 1,
  driver: 2,
  executor: 3,
  scheduler: 4,
  shuffle: 5,
  storage: 5,
  transport: 6,
  k8s: 6,
  api: 6,
  engine: 7,
  common: 8,
};
const siblingsMayNotMix = new Set(['shuffle', 'storage', 'transport', 'k8s', 'api']);
const src = path.resolve(import.meta.dirname, '../../src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return name === 'fixtures' ? [] : sourceFiles(full);
    return /\.ts$/.test(name) && !/\.test\.ts$/.test(name) ? [full] : [];
  });
}

function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specs: string[] = [];
  for (const m of text.matchAll(/(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]/g)) specs.push(m[1]!);
  for (const m of text.matchAll(/(?:^|\n)\s*import\s+['"]([^'"]+)['"]/g)) specs.push(m[1]!);
  for (const m of text.matchAll(/import\(\s*['"]([^'"]+)['"]\s*\)/g)) specs.push(m[1]!);
  return specs;
}

function layerOf(file: string): string | undefined {
  const rel = path.relative(src, file).split(path.sep);
  return rel.length > 1 ? rel[0] : undefined;
}

describe('layering', () => {
  const violations: string[] = [];
  for (const file of sourceFiles(src)) {
    const from = layerOf(file);
    if (from === undefined) continue; // src/index.ts is the public API and may import anything.
    for (const spec of importsOf(file)) {
      if (spec === 'nats' || spec.startsWith('nats/')) {
        if (from !== 'transport') violations.push(`${path.relative(src, file)} imports nats (only transport/ may)`);
        continue;
      }
      if (spec.startsWith('@kubernetes/client-node')) {
        if (from !== 'k8s') violations.push(`${path.relative(src, file)} imports @kubernetes/client-node (only k8s/ may)`);
        continue;
      }
      if (!spec.startsWith('.')) continue;
      const target = layerOf(path.resolve(path.dirname(file), spec));
      if (target === undefined || target === from) continue;
      const upward = (rank[target] ?? 99) < (rank[from] ?? 99);
      // Siblings stay apart, except that shuffle/ may spill through storage/.
      const sideways = rank[target] === rank[from] && siblingsMayNotMix.has(from) && !(from === 'shuffle' && target === 'storage');
      const operatorUsesEngine = from === 'operator' && ['driver', 'executor', 'scheduler', 'shuffle', 'storage', 'engine'].includes(target);
      const bad = upward || sideways || operatorUsesEngine || target === 'cli';
      if (bad) violations.push(`${path.relative(src, file)} (${from}/) imports ${spec} (${target}/)`);
    }
  }

  it('every import points down the layer order: ' + order.join(' > '), () => {
    expect(violations).toEqual([]);
  });

  it('the checker sees real imports', () => {
    // Guards against the test passing because it parsed nothing.
    expect(importsOf(path.join(src, 'engine', 'RDD.ts')).length).toBeGreaterThan(10);
    expect(layerOf(path.join(src, 'engine', 'RDD.ts'))).toBe('engine');
  });
});
