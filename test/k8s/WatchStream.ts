// One open watch: newline-delimited JSON events on an HTTP response, filtered by the watch's
// namespace and selectors, with optional periodic BOOKMARKs and a server-side timeout.
import type { ServerResponse } from 'node:http';
import type { StoreSubscriber, StoredEvent } from './ObjectStore.js';
import type { KubeObject } from './ResourceType.js';

const serialized = new WeakMap<object, string>();

/** Objects are frozen once stored, so each is serialized once however many watches see it. */
function json(object: KubeObject): string {
  let text = serialized.get(object);
  if (text === undefined) {
    text = JSON.stringify(object);
    serialized.set(object, text);
  }
  return text;
}

export interface WatchStreamOptions {
  matches: (object: KubeObject) => boolean;
  /** Shapes an object for this watch (built-in list items carry no kind/apiVersion). */
  present: (object: KubeObject) => KubeObject;
  bookmarkKind: string;
  bookmarkApiVersion: string;
  currentResourceVersion: () => number;
  bookmarkEveryMs: number | undefined;
  timeoutMs: number;
  onClose: () => void;
}

export class WatchStream implements StoreSubscriber {
  private closed = false;
  private readonly timers: NodeJS.Timeout[] = [];

  constructor(
    private readonly response: ServerResponse,
    private readonly options: WatchStreamOptions,
  ) {
    response.writeHead(200, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked', 'Cache-Control': 'no-cache, private' });
    response.flushHeaders();
    response.on('close', () => this.close());
    const timeout = setTimeout(() => this.close(), options.timeoutMs);
    this.timers.push(timeout);
    if (options.bookmarkEveryMs !== undefined) {
      const interval = setInterval(() => this.bookmark(), options.bookmarkEveryMs);
      this.timers.push(interval);
    }
  }

  get isClosed(): boolean {
    return this.closed;
  }

  onEvent(event: StoredEvent): void {
    if (this.closed) return;
    const nowMatches = this.options.matches(event.object);
    const usedToMatch = event.previous !== undefined && this.options.matches(event.previous);
    let type: string = event.type;
    if (event.type === 'MODIFIED') {
      if (nowMatches && !usedToMatch) type = 'ADDED';
      else if (!nowMatches && usedToMatch) type = 'DELETED';
      else if (!nowMatches) return;
    } else if (event.type === 'DELETED') {
      if (!usedToMatch && !nowMatches) return;
    } else if (!nowMatches) {
      return;
    }
    this.writeObject(type, event.object);
  }

  /** A synthetic ADDED for an object that exists when the watch starts (resourceVersion unset or "0"). */
  sendInitial(object: KubeObject): void {
    if (this.options.matches(object)) this.writeObject('ADDED', object);
  }

  writeObject(type: string, object: KubeObject): void {
    const presented = this.options.present(object);
    this.write(`{"type":"${type}","object":${presented === object ? json(object) : JSON.stringify(presented)}}\n`);
  }

  bookmark(annotations?: Record<string, string>): void {
    const metadata: Record<string, unknown> = { resourceVersion: String(this.options.currentResourceVersion()) };
    if (annotations) metadata.annotations = annotations;
    const object = { kind: this.options.bookmarkKind, apiVersion: this.options.bookmarkApiVersion, metadata };
    this.write(`${JSON.stringify({ type: 'BOOKMARK', object })}\n`);
  }

  /** An ERROR event (e.g. 410 Expired), after which the server ends the watch. */
  error(status: Record<string, unknown>): void {
    this.write(`${JSON.stringify({ type: 'ERROR', object: status })}\n`);
    this.close();
  }

  private write(line: string): void {
    if (!this.closed) this.response.write(line);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.response.end();
    this.options.onClose();
  }
}
