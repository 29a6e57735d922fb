// Test helpers: record a context's listener events around one or more actions.
import { readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import type { SparkContext, SparkListenerEvent } from '../../../src/index.js';

type EventOf<T extends SparkListenerEvent['type']> = Extract<SparkListenerEvent, { type: T }>;

export interface Recording {
  readonly events: SparkListenerEvent[];
  of<T extends SparkListenerEvent['type']>(type: T): EventOf<T>[];
  stop(): void;
}

/** Records every listener event from now until `stop()`. */
export function record(sc: SparkContext): Recording {
  const events: SparkListenerEvent[] = [];
  const listener = (e: SparkListenerEvent): void => void events.push(e);
  sc.addListener(listener);
  return {
    events,
    of: <T extends SparkListenerEvent['type']>(type: T) => events.filter((e): e is EventOf<T> => e.type === type),
    stop: () => sc.removeListener(listener),
  };
}

/** Runs `action` and returns its result with the events it produced. */
export async function recorded<R>(sc: SparkContext, action: () => Promise<R>): Promise<{ result: R; rec: Recording }> {
  const rec = record(sc);
  try {
    return { result: await action(), rec };
  } finally {
    rec.stop();
  }
}

/** Resolves at the first event matching `pred`. */
export function nextEvent(sc: SparkContext, pred: (e: SparkListenerEvent) => boolean): Promise<SparkListenerEvent> {
  return new Promise((resolve) => {
    const listener = (e: SparkListenerEvent): void => {
      if (pred(e)) {
        sc.removeListener(listener);
        resolve(e);
      }
    };
    sc.addListener(listener);
  });
}

/** The context's temporary directories (`<tmpdir>/kuberdd-<appId>-…`). */
export function tempDirsOf(sc: SparkContext): string[] {
  return readdirSync(tmpdir()).filter((n) => n.startsWith(`kuberdd-${sc.appId}-`));
}
