import { describe, expect, it } from 'vitest';
import { MapOutputTracker } from './MapOutputTracker.js';
import { DURABLE_SHUFFLE_EXECUTOR_ID, type MapStatus } from './MapStatus.js';

function status(mapId: number, executorId: string, durable: boolean): MapStatus {
  return { shuffleId: 1, mapId, executorId, dataPath: `/x/shuffle_1_${mapId}_0.data`, offsets: [0, 4], records: [1], ...(durable ? { durable } : {}) };
}

describe('MapOutputTracker with durable outputs', () => {
  it('keeps a lost executor’s durable outputs, served from JetStream, and forgets the others', () => {
    const tracker = new MapOutputTracker();
    tracker.registerShuffle(1, 3);
    tracker.registerMapOutput(status(0, 'exec-1', true));
    tracker.registerMapOutput(status(1, 'exec-1', false));
    tracker.registerMapOutput(status(2, 'exec-2', true));
    expect(tracker.removeOutputsOnExecutor('exec-1')).toEqual([1]);
    expect(tracker.missingPartitions(1)).toEqual([1]);
    tracker.registerMapOutput(status(1, 'exec-2', false));
    expect(tracker.statuses(1).map((s) => s.executorId)).toEqual([DURABLE_SHUFFLE_EXECUTOR_ID, 'exec-2', 'exec-2']);
  });

  it('moves a durable output to JetStream on a fetch failure from its executor, and forgets it on one from JetStream', () => {
    const tracker = new MapOutputTracker();
    tracker.registerShuffle(1, 1);
    tracker.registerMapOutput(status(0, 'exec-1', true));
    tracker.unregisterMapOutput(1, 0, 'exec-1');
    expect(tracker.statuses(1)[0]).toMatchObject({ executorId: DURABLE_SHUFFLE_EXECUTOR_ID, durable: true });
    tracker.unregisterMapOutput(1, 0, DURABLE_SHUFFLE_EXECUTOR_ID);
    expect(tracker.missingPartitions(1)).toEqual([0]);
  });
});
