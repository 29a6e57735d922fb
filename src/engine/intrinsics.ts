import { registerIntrinsic } from '../common/closure/intrinsics.js';
import { compareKeys } from '../common/keys/compareKeys.js';
import { hashKey } from '../common/keys/hashKey.js';
import { KeyMap } from '../common/keys/KeyMap.js';
import { keyEquals } from '../common/keys/keyEquals.js';
import { SeededRandom } from '../common/random/SeededRandom.js';
import { writeOutputPartition } from './output/writeOutputPartition.js';
import { asPair } from './rdd/MapPartitionsNode.js';
import { partitionSeed } from './rdd/SampledNode.js';
import { StatCounter } from './StatCounter.js';

/*
 * Library functions and classes that shipped closures may use. They travel by name and are
 * bound to the executor's own copy, so library closures stay small and need no source.
 * Importing this module (RDD.ts and the executor do) registers them.
 */
registerIntrinsic('compareKeys', compareKeys);
registerIntrinsic('keyEquals', keyEquals);
registerIntrinsic('hashKey', hashKey);
registerIntrinsic('KeyMap', KeyMap);
registerIntrinsic('SeededRandom', SeededRandom);
registerIntrinsic('partitionSeed', partitionSeed);
registerIntrinsic('StatCounter', StatCounter);
registerIntrinsic('asPair', asPair);
registerIntrinsic('writeOutputPartition', writeOutputPartition);
