// Server-side printing (`Accept: application/json;as=Table;g=meta.k8s.io;v=v1`), which
// `kubectl get` asks for: pods get kubectl's usual columns, custom resources their CRD's
// additionalPrinterColumns, everything else Name and Age.
import type { KubeObject, PrinterColumn, ResourceType } from './ResourceType.js';

type Json = Record<string, unknown>;

/** Kubernetes' short human durations: 45s, 12m, 3h, 2d. */
export function humanAge(since: string | undefined, now = Date.now()): string {
  if (!since) return '<unknown>';
  const seconds = Math.max(0, Math.floor((now - Date.parse(since)) / 1000));
  if (seconds < 120) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 10) return `${minutes}m${seconds % 60 ? `${seconds % 60}s` : ''}`;
  if (minutes < 180) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours}h`;
  return `${Math.floor(hours / 24)}d`;
}

/** The simple JSONPath forms printer columns use: `.a.b`, `.a[0].b`, `.a['x.y']`. */
function jsonPath(object: unknown, path: string): unknown {
  const parts = path.replace(/^\{?\.?/, '').replace(/\}$/, '').match(/[^.[\]'"]+|\[\d+\]/g) ?? [];
  let current: unknown = object;
  for (const part of parts) {
    if (current === null || typeof current !== 'object') return undefined;
    const index = part.match(/^\[(\d+)\]$/);
    current = index ? (current as unknown[])[Number(index[1])] : (current as Json)[part];
  }
  return current;
}

function podStatus(pod: KubeObject): { ready: string; status: string; restarts: number } {
  const status = (pod.status ?? {}) as Json;
  const containers = ((pod.spec as Json | undefined)?.containers as unknown[] | undefined) ?? [];
  const statuses = (status.containerStatuses as Json[] | undefined) ?? [];
  let reason = String(status.reason ?? status.phase ?? 'Pending');
  let restarts = 0;
  let ready = 0;
  for (const cs of statuses) {
    restarts += Number(cs.restartCount ?? 0);
    if (cs.ready === true) ready++;
    const state = (cs.state ?? {}) as Json;
    const waiting = state.waiting as Json | undefined;
    const terminated = state.terminated as Json | undefined;
    if (waiting?.reason) reason = String(waiting.reason);
    else if (terminated) reason = String(terminated.reason ?? (terminated.signal ? `Signal:${String(terminated.signal)}` : `ExitCode:${String(terminated.exitCode)}`));
  }
  if (pod.metadata.deletionTimestamp) reason = 'Terminating';
  return { ready: `${ready}/${containers.length}`, status: reason, restarts };
}

interface Column {
  name: string;
  type: string;
  format: string;
  description: string;
  priority: number;
}

function column(name: string, type = 'string', priority = 0, format = ''): Column {
  return { name, type, format, description: name, priority };
}

export function toTable(type: ResourceType, objects: KubeObject[], listMeta: Json): Json {
  let columns: Column[];
  let cells: (o: KubeObject) => unknown[];
  if (type.group === '' && type.plural === 'pods') {
    columns = [column('Name', 'string', 0, 'name'), column('Ready'), column('Status'), column('Restarts', 'string'), column('Age'), column('IP', 'string', 1), column('Node', 'string', 1)];
    cells = (o) => {
      const s = podStatus(o);
      return [o.metadata.name, s.ready, s.status, String(s.restarts), humanAge(o.metadata.creationTimestamp), (o.status as Json | undefined)?.podIP ?? '<none>', (o.spec as Json | undefined)?.nodeName ?? '<none>'];
    };
  } else if (type.custom) {
    const printer: PrinterColumn[] = type.printerColumns;
    columns = [column('Name', 'string', 0, 'name'), ...printer.map((c) => column(c.name, c.type === 'date' ? 'string' : c.type, c.priority ?? 0, c.format ?? ''))];
    cells = (o) => [
      o.metadata.name,
      ...printer.map((c) => {
        const value = jsonPath(o, c.jsonPath);
        if (c.type === 'date') return typeof value === 'string' ? humanAge(value) : '<unknown>';
        if (value === undefined || value === null) return null;
        return typeof value === 'object' ? JSON.stringify(value) : value;
      }),
    ];
  } else {
    columns = [column('Name', 'string', 0, 'name'), column('Age')];
    cells = (o) => [o.metadata.name, humanAge(o.metadata.creationTimestamp)];
  }
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: listMeta,
    columnDefinitions: columns,
    rows: objects.map((o) => ({
      cells: cells(o),
      object: { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: o.metadata },
    })),
  };
}
