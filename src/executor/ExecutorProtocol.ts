import type { CommitRequest } from '../engine/output/PendingCommit.js';
import { emptyTaskMetrics, type TaskMetrics } from '../engine/TaskMetrics.js';
import type { CommitDecision } from '../scheduler/OutputCommitCoordinator.js';
import type { CachedRddIdentity, TaskDescription } from '../scheduler/TaskDescription.js';
import type { TaskError } from '../scheduler/TaskError.js';
import type { BlockUpdate, TaskStatusUpdate } from '../scheduler/TaskStatusUpdate.js';
import type { MapStatus } from '../shuffle/MapStatus.js';
import { decodeControl, encodeControl } from '../transport/ControlCodec.js';
import type { ReplayGuard } from '../transport/ReplayGuard.js';
import {
  arrayOf,
  boolean,
  bytes,
  finiteNumber,
  identifier,
  integer,
  oneOf,
  optional,
  record,
  string,
  WireShapeError,
} from './wireShape.js';

/*
 * The control protocol between the driver and executor processes (docs/protocol.md, "Control
 * messages"). Every message is a ControlCodec envelope (versioned CBOR, HMAC-SHA256 signed with
 * the application's secret) whose `type` names one of the shapes below; both sides refuse
 * unsigned or badly signed messages and drop (and log) any whose body does not parse.
 *
 * Executors send to `kuberdd.<app>.driver`; the driver (and executors asking each other for
 * cached blocks) send to `kuberdd.<app>.exec.<executorId>`. Large payloads (task results,
 * stage binaries, broadcast values, exported blocks) travel by reference: the sender serves
 * them as a block on its blocks subject and the message carries a `StagedPayload`.
 */

/** Bumped on any incompatible change; an executor of another version is refused at registration. */
export const EXECUTOR_PROTOCOL_VERSION = 1;

/** Bytes too large for one message, served by the sender on its blocks subject until fetched (or expired). */
export interface StagedPayload {
  readonly blockId: string;
  readonly size: number;
}

/** What a driver tells an executor it accepted. */
export interface ExecutorSettings {
  readonly heartbeatIntervalMs: number;
  /** With no word from the driver for this long, the executor exits. */
  readonly driverTimeoutMs: number;
  readonly storageBytes?: number | undefined;
  readonly shuffleSpillBytes?: number | undefined;
  /** How long a shuffle or block fetch may wait for one chunk. */
  readonly fetchTimeoutMs: number;
  /** `kuberdd.shuffle.durable`: map outputs are also stored in the app's JetStream blob bucket. */
  readonly durableShuffle?: boolean | undefined;
}

/** A map output an executor keeps on disk, named by its shuffle's lineage identity (shuffleLineageIdentity). */
export interface HeldMapOutput {
  readonly identity: string;
  readonly status: MapStatus;
}

/**
 * A cached partition an executor kept for a restarted driver (written to its local disk when
 * its old driver went away), named by its RDD's lineage identity (rddLineageIdentity);
 * `heldId` is the executor's own number for it.
 */
export interface HeldCachedBlock {
  readonly identity: string;
  readonly heldId: number;
  readonly partition: number;
  readonly bytes: number;
  readonly level: string;
}

/** One held partition a restarted driver takes: it is stored again as partition `partition` of its RDD `rddId`. */
export interface AdoptedBlock {
  readonly heldId: number;
  readonly rddId: number;
}

/** Every message, by type. */
export interface ControlMessages {
  // ---- executor → driver
  /** Request; answered with `registered`. */
  /**
   * `mapOutputs`: what an executor of an earlier driver attempt still holds, when it registers
   * with the restarted driver, by the lineage identity of each output's shuffle.
   */
  register: {
    readonly executorId: string;
    readonly host: string;
    readonly pid: number;
    readonly cores: number;
    readonly protocolVersion: number;
    readonly mapOutputs?: readonly HeldMapOutput[] | undefined;
    /** Cached partitions it kept, likewise by lineage identity. */
    readonly cachedBlocks?: readonly HeldCachedBlock[] | undefined;
  };
  /** Request; answered with `heartbeatReply`. */
  heartbeat: { readonly executorId: string; readonly runningTasks: readonly number[] };
  started: { readonly executorId: string; readonly taskId: number };
  /** A task ended: the update itself, or (when too large for a message) a reference to it, encoded. */
  status: { readonly executorId: string; readonly taskId: number; readonly update?: TaskStatusUpdate | undefined; readonly staged?: StagedPayload | undefined };
  /** Request for a broadcast value (`key`: its id) or a stage binary (`key`: the binary id); answered with `payload`. */
  fetch: { readonly executorId: string; readonly what: 'broadcast' | 'stageBinary'; readonly key: string };
  /** Request; answered with `commitDecision`. */
  canCommit: { readonly executorId: string; readonly request: CommitRequest };
  /** Request: which executors hold a cached partition; answered with `blockLocations`. */
  locateBlock: { readonly executorId: string; readonly rddId: number; readonly partition: number };
  /** Request: which executor should hold the second copy of a partition stored at a `_2` level; answered with `blockLocations` (empty: none needed or none available). */
  replicaTarget: { readonly executorId: string; readonly rddId: number; readonly partition: number };
  /** Request: this executor stored a replica another executor pushed to it; answered with `blockLocations` (the partition's holders now). */
  replicaStored: { readonly executorId: string; readonly rddId: number; readonly partition: number; readonly bytes: number; readonly level: string };
  // ---- driver → executor
  registered: { readonly accepted: boolean; readonly reason?: string | undefined; readonly settings?: ExecutorSettings | undefined };
  /** `known: false` when the driver gave up on this executor (it then exits). */
  heartbeatReply: { readonly known: boolean };
  launch: { readonly task: TaskDescription };
  kill: { readonly taskId: number; readonly reason: string };
  removeRdd: { readonly rddId: number };
  removeShuffle: { readonly shuffleId: number };
  removeBroadcast: { readonly broadcastId: number };
  shutdown: { readonly reason: string };
  /** Another executor is gone: fetches from it fail now instead of timing out. */
  executorLost: { readonly executorId: string; readonly reason: string };
  payload: { readonly bytes?: Uint8Array | undefined; readonly staged?: StagedPayload | undefined; readonly error?: string | undefined };
  commitDecision: CommitDecision;
  blockLocations: { readonly executorIds: readonly string[] };
  // ---- executor → executor
  /** Request: serve a cached partition to the asking executor; answered with `exported`. */
  exportBlock: { readonly executorId: string; readonly rddId: number; readonly partition: number };
  /** `staged` on the answering executor's blocks subject, or why not. */
  exported: { readonly staged?: StagedPayload | undefined; readonly missing?: string | undefined };
  /** Request: store a copy of a partition (`staged` on the asker's blocks subject) at `level`, without replicating it again; answered with `replicated`. */
  replicateBlock: { readonly executorId: string; readonly rddId: number; readonly partition: number; readonly level: string; readonly staged: StagedPayload };
  /** The bytes the replica holds here, or why it was not stored. */
  replicated: { readonly bytes?: number | undefined; readonly error?: string | undefined };
  // ---- driver → executor, for a restarted driver
  /** Request: store these held partitions again under this driver's RDD ids; answered with `adoptedBlocks`. */
  adoptBlocks: { readonly blocks: readonly AdoptedBlock[] };
  /** The partitions stored again (a held partition that is gone or did not fit is left out). */
  adoptedBlocks: { readonly stored: readonly BlockUpdate[] };
}

export type ControlType = keyof ControlMessages;
export type ControlMessage = { [K in ControlType]: { readonly type: K; readonly body: ControlMessages[K] } }[ControlType];

export type Parsed<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly reason: string };

// ---- Parsers, one per type ---------------------------------------------------------------------

function staged(v: unknown, where: string): StagedPayload {
  const r = record(v, where);
  return { blockId: string(r['blockId'], `${where}.blockId`, 256), size: integer(r['size'], `${where}.size`) };
}

function settings(v: unknown, where: string): ExecutorSettings {
  const r = record(v, where);
  return {
    heartbeatIntervalMs: integer(r['heartbeatIntervalMs'], `${where}.heartbeatIntervalMs`, 1),
    driverTimeoutMs: integer(r['driverTimeoutMs'], `${where}.driverTimeoutMs`, 1),
    storageBytes: optional(r['storageBytes'], `${where}.storageBytes`, integer),
    shuffleSpillBytes: optional(r['shuffleSpillBytes'], `${where}.shuffleSpillBytes`, (x, w) => integer(x, w, 1)),
    fetchTimeoutMs: integer(r['fetchTimeoutMs'], `${where}.fetchTimeoutMs`, 1),
    durableShuffle: optional(r['durableShuffle'], `${where}.durableShuffle`, boolean),
  };
}

export function parseTaskDescription(v: unknown, where = 'task'): TaskDescription {
  const r = record(v, where);
  const binary = optional(r['binary'], `${where}.binary`, bytes);
  const skipRecords = optional(r['skipRecords'], `${where}.skipRecords`, (x, w) => arrayOf(x, w, integer));
  const isolateRecords = optional(r['isolateRecords'], `${where}.isolateRecords`, boolean);
  const cachedRddIdentities = optional(r['cachedRddIdentities'], `${where}.cachedRddIdentities`, (x, w) => arrayOf(x, w, cachedRddIdentity, 10_000));
  return {
    taskId: integer(r['taskId'], `${where}.taskId`),
    executorId: identifier(r['executorId'], `${where}.executorId`),
    attemptNumber: integer(r['attemptNumber'], `${where}.attemptNumber`),
    stageId: integer(r['stageId'], `${where}.stageId`),
    stageAttempt: integer(r['stageAttempt'], `${where}.stageAttempt`),
    partition: integer(r['partition'], `${where}.partition`),
    kind: oneOf(r['kind'], `${where}.kind`, ['shuffleMap', 'result']),
    binaryId: string(r['binaryId'], `${where}.binaryId`, 256),
    ...(binary === undefined ? {} : { binary }),
    ...(isolateRecords === undefined ? {} : { isolateRecords }),
    ...(skipRecords === undefined ? {} : { skipRecords }),
    ...(cachedRddIdentities === undefined ? {} : { cachedRddIdentities }),
  };
}

function cachedRddIdentity(v: unknown, where: string): CachedRddIdentity {
  const r = record(v, where);
  return { rddId: integer(r['rddId'], `${where}.rddId`), identity: identifier(r['identity'], `${where}.identity`) };
}

function mapStatus(v: unknown, where: string): MapStatus {
  const r = record(v, where);
  return {
    shuffleId: integer(r['shuffleId'], `${where}.shuffleId`),
    mapId: integer(r['mapId'], `${where}.mapId`),
    executorId: identifier(r['executorId'], `${where}.executorId`),
    dataPath: string(r['dataPath'], `${where}.dataPath`, 4096),
    offsets: arrayOf(r['offsets'], `${where}.offsets`, integer),
    records: arrayOf(r['records'], `${where}.records`, integer),
    ...(r['durable'] === true ? { durable: true } : {}),
  };
}

function heldMapOutput(v: unknown, where: string): HeldMapOutput {
  const r = record(v, where);
  return { identity: identifier(r['identity'], `${where}.identity`), status: mapStatus(r['status'], `${where}.status`) };
}

function heldCachedBlock(v: unknown, where: string): HeldCachedBlock {
  const r = record(v, where);
  return {
    identity: identifier(r['identity'], `${where}.identity`),
    heldId: integer(r['heldId'], `${where}.heldId`),
    partition: integer(r['partition'], `${where}.partition`),
    bytes: integer(r['bytes'], `${where}.bytes`),
    level: string(r['level'], `${where}.level`, 64),
  };
}

function adoptedBlock(v: unknown, where: string): AdoptedBlock {
  const r = record(v, where);
  return { heldId: integer(r['heldId'], `${where}.heldId`), rddId: integer(r['rddId'], `${where}.rddId`) };
}

function optionalField<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

function taskError(v: unknown, where: string): TaskError {
  const r = record(v, where);
  const ff = optional(r['fetchFailed'], `${where}.fetchFailed`, (x, w) => {
    const f = record(x, w);
    return {
      shuffleId: integer(f['shuffleId'], `${w}.shuffleId`),
      mapId: integer(f['mapId'], `${w}.mapId`),
      reduceId: integer(f['reduceId'], `${w}.reduceId`),
      executorId: string(f['executorId'], `${w}.executorId`, 256),
    };
  });
  const stack = optional(r['stack'], `${where}.stack`, string);
  const userFrame = optional(r['userFrame'], `${where}.userFrame`, string);
  const killed = optional(r['killed'], `${where}.killed`, boolean);
  const failedRecordIndex = optional(r['failedRecordIndex'], `${where}.failedRecordIndex`, integer);
  return {
    name: string(r['name'], `${where}.name`, 256),
    message: string(r['message'], `${where}.message`),
    ...(stack === undefined ? {} : { stack }),
    ...(userFrame === undefined ? {} : { userFrame }),
    ...(ff === undefined ? {} : { fetchFailed: ff }),
    ...(killed === undefined ? {} : { killed }),
    ...(failedRecordIndex === undefined ? {} : { failedRecordIndex }),
  };
}

function metrics(v: unknown, where: string): TaskMetrics {
  const r = record(v, where);
  const m = emptyTaskMetrics();
  // Known counters only: a newer executor's extra counters are ignored, a missing one stays 0.
  for (const key of Object.keys(m) as (keyof TaskMetrics)[]) {
    if (r[key] !== undefined) m[key] = finiteNumber(r[key], `${where}.${key}`);
  }
  return m;
}

function blockUpdate(v: unknown, where: string): BlockUpdate {
  const r = record(v, where);
  return {
    rddId: integer(r['rddId'], `${where}.rddId`),
    partition: integer(r['partition'], `${where}.partition`),
    bytes: integer(r['bytes'], `${where}.bytes`),
    level: string(r['level'], `${where}.level`, 64),
  };
}

export function parseTaskStatusUpdate(v: unknown, where = 'update'): TaskStatusUpdate {
  const r = record(v, where);
  const state = oneOf(r['state'], `${where}.state`, ['finished', 'failed']);
  const result = optional(r['result'], `${where}.result`, bytes);
  const status = optional(r['mapStatus'], `${where}.mapStatus`, mapStatus);
  const error = optional(r['error'], `${where}.error`, taskError);
  if (state === 'failed' && error === undefined) throw new WireShapeError(`${where}.error is missing from a failed task's update`);
  return {
    taskId: integer(r['taskId'], `${where}.taskId`),
    executorId: identifier(r['executorId'], `${where}.executorId`),
    state,
    ...(result === undefined ? {} : { result }),
    ...(status === undefined ? {} : { mapStatus: status }),
    ...(error === undefined ? {} : { error }),
    accumUpdates: arrayOf(r['accumUpdates'], `${where}.accumUpdates`, (x, w) => {
      if (!Array.isArray(x) || x.length !== 2) throw new WireShapeError(`${w} must be an [accumulatorId, state] pair`);
      return [integer(x[0], `${w}[0]`), x[1] as unknown] as const;
    }),
    metrics: metrics(r['metrics'], `${where}.metrics`),
    blockUpdates: arrayOf(r['blockUpdates'], `${where}.blockUpdates`, blockUpdate),
  };
}

function commitRequest(v: unknown, where: string): CommitRequest {
  const r = record(v, where);
  return {
    jobKey: string(r['jobKey'], `${where}.jobKey`, 1024),
    partition: integer(r['partition'], `${where}.partition`),
    taskAttemptId: integer(r['taskAttemptId'], `${where}.taskAttemptId`),
    attemptNumber: integer(r['attemptNumber'], `${where}.attemptNumber`),
    executorId: identifier(r['executorId'], `${where}.executorId`),
  };
}

const parsers: { readonly [K in ControlType]: (body: unknown) => ControlMessages[K] } = {
  register: (b) => {
    const r = record(b, 'register');
    return {
      executorId: identifier(r['executorId'], 'register.executorId'),
      host: string(r['host'], 'register.host', 256),
      pid: integer(r['pid'], 'register.pid'),
      cores: integer(r['cores'], 'register.cores', 1),
      protocolVersion: integer(r['protocolVersion'], 'register.protocolVersion'),
      ...optionalField('mapOutputs', optional(r['mapOutputs'], 'register.mapOutputs', (x, w) => arrayOf(x, w, heldMapOutput, 1_000_000))),
      ...optionalField('cachedBlocks', optional(r['cachedBlocks'], 'register.cachedBlocks', (x, w) => arrayOf(x, w, heldCachedBlock, 1_000_000))),
    };
  },
  heartbeat: (b) => {
    const r = record(b, 'heartbeat');
    return { executorId: identifier(r['executorId'], 'heartbeat.executorId'), runningTasks: arrayOf(r['runningTasks'], 'heartbeat.runningTasks', integer, 100_000) };
  },
  started: (b) => {
    const r = record(b, 'started');
    return { executorId: identifier(r['executorId'], 'started.executorId'), taskId: integer(r['taskId'], 'started.taskId') };
  },
  status: (b) => {
    const r = record(b, 'status');
    const update = optional(r['update'], 'status.update', parseTaskStatusUpdate);
    const ref = optional(r['staged'], 'status.staged', staged);
    if ((update === undefined) === (ref === undefined)) throw new WireShapeError('status must carry exactly one of update and staged');
    const executorId = identifier(r['executorId'], 'status.executorId');
    const taskId = integer(r['taskId'], 'status.taskId');
    if (update !== undefined && (update.taskId !== taskId || update.executorId !== executorId)) {
      throw new WireShapeError(`status.update is about task ${update.taskId} on ${update.executorId}, not task ${taskId} on ${executorId}`);
    }
    return { executorId, taskId, ...(update === undefined ? {} : { update }), ...(ref === undefined ? {} : { staged: ref }) };
  },
  fetch: (b) => {
    const r = record(b, 'fetch');
    return {
      executorId: identifier(r['executorId'], 'fetch.executorId'),
      what: oneOf(r['what'], 'fetch.what', ['broadcast', 'stageBinary']),
      key: string(r['key'], 'fetch.key', 256),
    };
  },
  canCommit: (b) => {
    const r = record(b, 'canCommit');
    return { executorId: identifier(r['executorId'], 'canCommit.executorId'), request: commitRequest(r['request'], 'canCommit.request') };
  },
  locateBlock: (b) => {
    const r = record(b, 'locateBlock');
    return {
      executorId: identifier(r['executorId'], 'locateBlock.executorId'),
      rddId: integer(r['rddId'], 'locateBlock.rddId'),
      partition: integer(r['partition'], 'locateBlock.partition'),
    };
  },
  replicaTarget: (b) => {
    const r = record(b, 'replicaTarget');
    return {
      executorId: identifier(r['executorId'], 'replicaTarget.executorId'),
      rddId: integer(r['rddId'], 'replicaTarget.rddId'),
      partition: integer(r['partition'], 'replicaTarget.partition'),
    };
  },
  replicaStored: (b) => {
    const r = record(b, 'replicaStored');
    return {
      executorId: identifier(r['executorId'], 'replicaStored.executorId'),
      rddId: integer(r['rddId'], 'replicaStored.rddId'),
      partition: integer(r['partition'], 'replicaStored.partition'),
      bytes: integer(r['bytes'], 'replicaStored.bytes'),
      level: string(r['level'], 'replicaStored.level', 64),
    };
  },
  registered: (b) => {
    const r = record(b, 'registered');
    const accepted = boolean(r['accepted'], 'registered.accepted');
    const reason = optional(r['reason'], 'registered.reason', string);
    const s = optional(r['settings'], 'registered.settings', settings);
    if (accepted && s === undefined) throw new WireShapeError('registered.settings is missing from an acceptance');
    return { accepted, ...(reason === undefined ? {} : { reason }), ...(s === undefined ? {} : { settings: s }) };
  },
  heartbeatReply: (b) => ({ known: boolean(record(b, 'heartbeatReply')['known'], 'heartbeatReply.known') }),
  launch: (b) => ({ task: parseTaskDescription(record(b, 'launch')['task'], 'launch.task') }),
  kill: (b) => {
    const r = record(b, 'kill');
    return { taskId: integer(r['taskId'], 'kill.taskId'), reason: string(r['reason'], 'kill.reason') };
  },
  removeRdd: (b) => ({ rddId: integer(record(b, 'removeRdd')['rddId'], 'removeRdd.rddId') }),
  removeShuffle: (b) => ({ shuffleId: integer(record(b, 'removeShuffle')['shuffleId'], 'removeShuffle.shuffleId') }),
  removeBroadcast: (b) => ({ broadcastId: integer(record(b, 'removeBroadcast')['broadcastId'], 'removeBroadcast.broadcastId') }),
  shutdown: (b) => ({ reason: string(record(b, 'shutdown')['reason'], 'shutdown.reason') }),
  executorLost: (b) => {
    const r = record(b, 'executorLost');
    return { executorId: identifier(r['executorId'], 'executorLost.executorId'), reason: string(r['reason'], 'executorLost.reason') };
  },
  payload: (b) => {
    const r = record(b, 'payload');
    const data = optional(r['bytes'], 'payload.bytes', bytes);
    const ref = optional(r['staged'], 'payload.staged', staged);
    const error = optional(r['error'], 'payload.error', string);
    if ([data, ref, error].filter((x) => x !== undefined).length !== 1) throw new WireShapeError('payload must carry exactly one of bytes, staged and error');
    return { ...(data === undefined ? {} : { bytes: data }), ...(ref === undefined ? {} : { staged: ref }), ...(error === undefined ? {} : { error }) };
  },
  commitDecision: (b) => {
    const r = record(b, 'commitDecision');
    const reason = optional(r['reason'], 'commitDecision.reason', string);
    return { allowed: boolean(r['allowed'], 'commitDecision.allowed'), ...(reason === undefined ? {} : { reason }) };
  },
  blockLocations: (b) => ({ executorIds: arrayOf(record(b, 'blockLocations')['executorIds'], 'blockLocations.executorIds', identifier, 10_000) }),
  exportBlock: (b) => {
    const r = record(b, 'exportBlock');
    return {
      executorId: identifier(r['executorId'], 'exportBlock.executorId'),
      rddId: integer(r['rddId'], 'exportBlock.rddId'),
      partition: integer(r['partition'], 'exportBlock.partition'),
    };
  },
  exported: (b) => {
    const r = record(b, 'exported');
    const ref = optional(r['staged'], 'exported.staged', staged);
    const missing = optional(r['missing'], 'exported.missing', string);
    if ((ref === undefined) === (missing === undefined)) throw new WireShapeError('exported must carry exactly one of staged and missing');
    return { ...(ref === undefined ? {} : { staged: ref }), ...(missing === undefined ? {} : { missing }) };
  },
  replicateBlock: (b) => {
    const r = record(b, 'replicateBlock');
    return {
      executorId: identifier(r['executorId'], 'replicateBlock.executorId'),
      rddId: integer(r['rddId'], 'replicateBlock.rddId'),
      partition: integer(r['partition'], 'replicateBlock.partition'),
      level: string(r['level'], 'replicateBlock.level', 64),
      staged: staged(r['staged'], 'replicateBlock.staged'),
    };
  },
  replicated: (b) => {
    const r = record(b, 'replicated');
    const stored = optional(r['bytes'], 'replicated.bytes', integer);
    const error = optional(r['error'], 'replicated.error', string);
    if ((stored === undefined) === (error === undefined)) throw new WireShapeError('replicated must carry exactly one of bytes and error');
    return { ...(stored === undefined ? {} : { bytes: stored }), ...(error === undefined ? {} : { error }) };
  },
  adoptBlocks: (b) => ({ blocks: arrayOf(record(b, 'adoptBlocks')['blocks'], 'adoptBlocks.blocks', adoptedBlock, 1_000_000) }),
  adoptedBlocks: (b) => ({ stored: arrayOf(record(b, 'adoptedBlocks')['stored'], 'adoptedBlocks.stored', blockUpdate, 1_000_000) }),
};

/** Checks a decoded body against its type's shape. */
export function parseControlBody<K extends ControlType>(type: K, body: unknown): Parsed<ControlMessages[K]> {
  try {
    return { ok: true, value: parsers[type](body) };
  } catch (error) {
    if (error instanceof WireShapeError) return { ok: false, reason: error.message };
    return { ok: false, reason: `malformed ${type} message: ${String((error as Error)?.message ?? error)}` };
  }
}

/** A signed envelope holding one message. */
export function encodeControlMessage<K extends ControlType>(type: K, body: ControlMessages[K], secret: Uint8Array): Uint8Array {
  return encodeControl(type, body, secret);
}

/**
 * The message in `data` if it is signed with `secret`, is one of the `accepted` types and has
 * that type's shape (and, with a `replayGuard`, was not accepted before); otherwise why not.
 * Never throws.
 */
export function decodeControlMessage<K extends ControlType>(
  data: Uint8Array,
  secret: Uint8Array,
  accepted: readonly K[],
  replayGuard?: ReplayGuard,
): Parsed<Extract<ControlMessage, { type: K }>> {
  const envelope = decodeControl(data, secret, { requireSignature: true, ...(replayGuard === undefined ? {} : { replayGuard }) });
  if (!envelope.ok) return { ok: false, reason: envelope.reason };
  if (!envelope.signed) return { ok: false, reason: `unsigned ${envelope.type} message` };
  const type = envelope.type as K;
  if (!(accepted as readonly string[]).includes(type)) {
    return { ok: false, reason: `unexpected message type ${JSON.stringify(String(envelope.type).slice(0, 64))} (expected ${accepted.join(', ')})` };
  }
  const parsed = parseControlBody(type, envelope.body);
  if (!parsed.ok) return parsed;
  return { ok: true, value: { type, body: parsed.value } as Extract<ControlMessage, { type: K }> };
}
