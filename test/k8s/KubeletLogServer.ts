// The PodRunner's kubelet endpoint: `GET /containerLogs/<namespace>/<pod>/<container>` (with
// `tailLines`, `limitBytes`, `follow`), which the API server proxies `pods/<name>/log` to, as a
// real API server does with a node's kubelet.
import { createReadStream, existsSync, readFileSync, statSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface LogSource {
  /** The log file of a container, or undefined if it never started. */
  logFile(namespace: string, pod: string, container: string): string | undefined;
  /** Whether the container's process is still running (for `follow`). */
  isRunning(namespace: string, pod: string, container: string): boolean;
}

export class KubeletLogServer {
  private constructor(private readonly server: http.Server) {}

  static async start(source: LogSource): Promise<KubeletLogServer> {
    const server = http.createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      const parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
      const [route, namespace, pod, container] = parts;
      const file = route === 'containerLogs' && namespace && pod && container ? source.logFile(namespace, pod, container) : undefined;
      if (!file || !existsSync(file) || !namespace || !pod || !container) {
        res.writeHead(404, { 'Content-Type': 'text/plain' });
        res.end('container not found');
        return;
      }
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      const tail = url.searchParams.get('tailLines');
      const limit = url.searchParams.get('limitBytes');
      if (url.searchParams.get('follow') !== 'true') {
        let text = readFileSync(file, 'utf8');
        if (tail !== null) text = tailLines(text, Number(tail));
        if (limit !== null) text = Buffer.from(text).subarray(0, Number(limit)).toString('utf8');
        res.end(text);
        return;
      }
      follow(file, res, () => source.isRunning(namespace, pod, container));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    return new KubeletLogServer(server);
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }
}

function tailLines(text: string, n: number): string {
  const lines = text.split('\n');
  const trailing = lines[lines.length - 1] === '' ? lines.pop() : undefined;
  return lines.slice(Math.max(0, lines.length - n)).join('\n') + (trailing === undefined ? '' : '\n');
}

/** Streams the file as it grows until the container exits (polling, as files are appended by the child). */
function follow(file: string, res: http.ServerResponse, running: () => boolean): void {
  let offset = 0;
  let busy = false;
  const pump = (): void => {
    if (busy) return;
    const size = statSync(file).size;
    const stillRunning = running();
    if (size <= offset) {
      if (!stillRunning) finish();
      return;
    }
    busy = true;
    const stream = createReadStream(file, { start: offset, end: size - 1 });
    offset = size;
    stream.on('data', (chunk) => res.write(chunk));
    stream.on('end', () => {
      busy = false;
      if (!stillRunning) pump();
    });
  };
  const timer = setInterval(pump, 100);
  const finish = (): void => {
    clearInterval(timer);
    res.end();
  };
  res.on('close', () => clearInterval(timer));
  pump();
}
