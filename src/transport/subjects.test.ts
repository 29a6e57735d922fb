import { describe, expect, it } from 'vitest';
import { UserInputError } from '../common/errors/UserInputError.js';
import { driverBlocksSubject, driverSubject, executorBlocksSubject, executorSubject } from './subjects.js';

describe('subjects', () => {
  it('lays out one subject family per function', () => {
    expect(driverSubject('app-1')).toBe('kuberdd.app-1.driver');
    expect(executorSubject('app-1', 'exec_2')).toBe('kuberdd.app-1.exec.exec_2');
    expect(executorBlocksSubject('app-1', '3')).toBe('kuberdd.app-1.blocks.3');
    expect(driverBlocksSubject('App_X')).toBe('kuberdd.App_X.driver.blocks');
  });

  it.each(['', 'a.b', 'a b', 'a*', 'a>', 'é', 'a\n'])('refuses the app id %j, saying which characters are allowed', (bad) => {
    expect(() => driverSubject(bad)).toThrow(UserInputError);
    expect(() => driverBlocksSubject(bad)).toThrow(/only letters, digits, '_' and '-'/);
    expect(() => executorSubject(bad, 'e1')).toThrow(/Invalid app id/);
  });

  it('validates executor ids the same way', () => {
    expect(() => executorSubject('app', 'e.1')).toThrow(/Invalid executor id "e.1"/);
    expect(() => executorBlocksSubject('app', '>')).toThrow(/Invalid executor id/);
  });
});
