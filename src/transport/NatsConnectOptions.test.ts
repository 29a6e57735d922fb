import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { UserInputError } from '../common/errors/UserInputError.js';
import { parseNatsConnectOptions } from './NatsConnectOptions.js';

const dir = mkdtempSync(path.join(tmpdir(), 'kuberdd-nats-opts-'));
const ca = path.join(dir, 'ca.pem');
const cert = path.join(dir, 'cert.pem');
const key = path.join(dir, 'key.pem');
for (const f of [ca, cert, key]) writeFileSync(f, 'pem');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('parseNatsConnectOptions', () => {
  it('reads every flag, with or without the leading dashes', () => {
    expect(parseNatsConnectOptions({ '--nats': 'nats://10.0.0.1:4222', '--nats-user': 'u', 'nats-password': 'p' }, {})).toEqual({
      servers: 'nats://10.0.0.1:4222',
      user: 'u',
      pass: 'p',
    });
    expect(parseNatsConnectOptions({ nats: 'tls://a:4222, tls://b:4222', '--nats-token': 't', '--nats-tls-ca': ca, '--nats-tls-cert': cert, '--nats-tls-key': key }, {})).toEqual({
      servers: 'tls://a:4222, tls://b:4222',
      token: 't',
      tls: { caFile: ca, certFile: cert, keyFile: key },
    });
  });

  it('falls back to the environment, flags first, and treats empty variables as unset', () => {
    const env = { KUBERDD_NATS_URL: 'nats://env:4222', KUBERDD_NATS_USER: 'eu', KUBERDD_NATS_PASSWORD: 'ep', KUBERDD_NATS_TOKEN: '', KUBERDD_NATS_TLS_CA: ca };
    expect(parseNatsConnectOptions({}, env)).toEqual({ servers: 'nats://env:4222', user: 'eu', pass: 'ep', tls: { caFile: ca } });
    expect(parseNatsConnectOptions({ '--nats': 'nats://flag:1' }, env).servers).toBe('nats://flag:1');
  });

  it('asks for a server when none is given', () => {
    expect(() => parseNatsConnectOptions({}, {})).toThrow(/No NATS server given: pass --nats nats:\/\/<host>:4222 \(or set KUBERDD_NATS_URL\)/);
  });

  it.each([
    ['http://host:4222', /'http:\/\/host:4222' is not a NATS URL; write it as nats:\/\/<host>:<port>/],
    ['host:4222', /is not a NATS URL/],
    ['nats://', /has no host|cannot parse/],
    ['nats://a:4222,,nats://b:4222', /empty entry/],
    ['nats://a:4222/path', /has a path/],
    ['nats://a:99999', /cannot parse/],
  ])('refuses the URL %s', (url, message) => {
    expect(() => parseNatsConnectOptions({ '--nats': url }, {})).toThrow(message);
    expect(() => parseNatsConnectOptions({}, { KUBERDD_NATS_URL: url })).toThrow(/environment variable KUBERDD_NATS_URL/);
  });

  it('refuses incomplete or conflicting credentials, naming the missing flag', () => {
    const nats = 'nats://a:4222';
    expect(() => parseNatsConnectOptions({ nats, 'nats-user': 'u' }, {})).toThrow(/user is given \(--nats-user\) but no password: add --nats-password/);
    expect(() => parseNatsConnectOptions({ nats }, { KUBERDD_NATS_PASSWORD: 'p' })).toThrow(/password is given \(environment variable KUBERDD_NATS_PASSWORD\) but no user/);
    expect(() => parseNatsConnectOptions({ nats, 'nats-user': 'u', 'nats-password': 'p', 'nats-token': 't' }, {})).toThrow(/use one way to authenticate/);
    expect(() => parseNatsConnectOptions({ nats, 'nats-user': '' }, {})).toThrow(/--nats-user needs a value/);
  });

  it('refuses missing or half-given TLS files', () => {
    const nats = 'tls://a:4222';
    expect(() => parseNatsConnectOptions({ nats, 'nats-tls-ca': path.join(dir, 'nope.pem') }, {})).toThrow(/--nats-tls-ca: the TLS file '.*nope\.pem' does not exist/);
    expect(() => parseNatsConnectOptions({ nats, 'nats-tls-ca': dir }, {})).toThrow(/is not a file/);
    expect(() => parseNatsConnectOptions({ nats, 'nats-tls-cert': cert }, {})).toThrow(/no key: add --nats-tls-key/);
    expect(() => parseNatsConnectOptions({ nats, 'nats-tls-key': key }, {})).toThrow(/no certificate: add --nats-tls-cert/);
    expect(() => parseNatsConnectOptions({ nats }, { KUBERDD_NATS_TLS_KEY: key })).toThrow(UserInputError);
  });
});
