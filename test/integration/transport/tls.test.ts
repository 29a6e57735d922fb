// The bus over TLS against a real nats-server that requires it: a certificate made for the test
// with openssl, trusted through the `tls.caFile` option (`--nats-tls-ca`); an untrusted server
// certificate is refused with an error, never silently accepted.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MessageBus } from '../../../src/transport/MessageBus.js';
import { NatsServerProcess } from '../../../src/transport/NatsServerProcess.js';
import { TransportError } from '../../../src/transport/TransportError.js';
import { recordingLogger } from './recordingLogger.js';

const text = (b: Uint8Array): string => new TextDecoder().decode(b);

describe('MessageBus over TLS', () => {
  let dir: string;
  let cert: string;
  let server: NatsServerProcess;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'kuberdd-tls-'));
    cert = path.join(dir, 'server.pem');
    const key = path.join(dir, 'server.key');
    // A self-signed certificate for the loopback address, which doubles as the CA the client trusts
    // (nats.js checks an IP-addressed server under the name localhost, hence both names).
    execFileSync('openssl', [
      'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1',
      '-keyout', key, '-out', cert,
      '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost',
    ], { stdio: 'ignore' });
    server = await NatsServerProcess.start({ extraArgs: ['--tls', '--tlscert', cert, '--tlskey', key] });
  });
  afterAll(async () => {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('connects with the CA file and carries requests', async () => {
    const url = `tls://127.0.0.1:${server.port}`;
    const log = recordingLogger();
    const a = await MessageBus.connect({ servers: url, tls: { caFile: cert } }, log);
    const b = await MessageBus.connect({ servers: url, tls: { caFile: cert } }, log);
    try {
      a.subscribe('t.tls', (m) => void m.respond(new TextEncoder().encode(`ok:${text(m.data)}`)));
      await a.flush();
      const reply = await b.request('t.tls', new TextEncoder().encode('hi'), { timeoutMs: 5000 });
      expect(text(reply)).toBe('ok:hi');
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('refuses a server whose certificate it cannot verify', async () => {
    const attempt = MessageBus.connect({ servers: `tls://127.0.0.1:${server.port}`, connectTimeoutMs: 3000 }, recordingLogger());
    await expect(attempt).rejects.toBeInstanceOf(TransportError);
  });
});
