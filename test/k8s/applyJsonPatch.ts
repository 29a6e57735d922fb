// JSON patch (RFC 6902, `application/json-patch+json`): add, remove, replace, move, copy, test.
import { ApiError } from './ApiError.js';

interface Operation {
  op: string;
  path: string;
  from?: string;
  value?: unknown;
}

function parsePointer(pointer: string): string[] {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) throw ApiError.badRequest(`JSON patch path "${pointer}" must start with "/"`);
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

type Container = Record<string, unknown> | unknown[];

function resolveParent(doc: unknown, tokens: string[], pointer: string): { parent: Container; key: string } {
  let current: unknown = doc;
  for (const token of tokens.slice(0, -1)) {
    if (Array.isArray(current)) current = current[Number(token)];
    else if (typeof current === 'object' && current !== null) current = (current as Record<string, unknown>)[token];
    else current = undefined;
    if (current === undefined) throw invalidPatch(`doc is missing path: "${pointer}": missing value`);
  }
  if (typeof current !== 'object' || current === null) throw invalidPatch(`doc is missing path: "${pointer}": missing value`);
  return { parent: current as Container, key: tokens[tokens.length - 1] as string };
}

function invalidPatch(message: string): ApiError {
  return new ApiError(422, 'Invalid', message);
}

function get(doc: unknown, pointer: string): unknown {
  let current: unknown = doc;
  for (const token of parsePointer(pointer)) {
    if (Array.isArray(current)) current = current[Number(token)];
    else if (typeof current === 'object' && current !== null) current = (current as Record<string, unknown>)[token];
    else current = undefined;
    if (current === undefined) throw invalidPatch(`doc is missing path: "${pointer}": missing value`);
  }
  return current;
}

function arrayIndex(parent: unknown[], key: string, pointer: string, forInsert: boolean): number {
  if (forInsert && key === '-') return parent.length;
  const index = Number(key);
  const limit = forInsert ? parent.length : parent.length - 1;
  if (!/^\d+$/.test(key) || index > limit) throw invalidPatch(`unable to access invalid index: ${key} in path "${pointer}"`);
  return index;
}

function remove(doc: unknown, pointer: string): unknown {
  const { parent, key } = resolveParent(doc, parsePointer(pointer), pointer);
  if (Array.isArray(parent)) return parent.splice(arrayIndex(parent, key, pointer, false), 1)[0];
  if (!(key in parent)) throw invalidPatch(`Unable to remove nonexistent key: ${key}: missing value`);
  const old = parent[key];
  delete parent[key];
  return old;
}

function add(doc: unknown, pointer: string, value: unknown, replace: boolean): unknown {
  const tokens = parsePointer(pointer);
  if (tokens.length === 0) return structuredClone(value);
  const { parent, key } = resolveParent(doc, tokens, pointer);
  if (Array.isArray(parent)) {
    const index = arrayIndex(parent, key, pointer, !replace);
    parent.splice(index, replace ? 1 : 0, structuredClone(value));
  } else {
    if (replace && !(key in parent)) throw invalidPatch(`replace operation does not apply: doc is missing key: ${pointer}: missing value`);
    parent[key] = structuredClone(value);
  }
  return doc;
}

export function applyJsonPatch(target: unknown, patch: unknown): unknown {
  if (!Array.isArray(patch)) throw ApiError.badRequest('a JSON patch must be an array of operations');
  let doc = structuredClone(target);
  for (const raw of patch as Operation[]) {
    if (typeof raw !== 'object' || raw === null || typeof raw.op !== 'string' || typeof raw.path !== 'string') {
      throw ApiError.badRequest(`invalid JSON patch operation ${JSON.stringify(raw)}: needs "op" and "path"`);
    }
    switch (raw.op) {
      case 'add':
        doc = add(doc, raw.path, raw.value, false);
        break;
      case 'replace':
        doc = add(doc, raw.path, raw.value, true);
        break;
      case 'remove':
        remove(doc, raw.path);
        break;
      case 'move': {
        const value = remove(doc, raw.from ?? '');
        doc = add(doc, raw.path, value, false);
        break;
      }
      case 'copy':
        doc = add(doc, raw.path, get(doc, raw.from ?? ''), false);
        break;
      case 'test':
        if (JSON.stringify(get(doc, raw.path)) !== JSON.stringify(raw.value)) {
          throw invalidPatch(`testing value ${raw.path} failed: test failed`);
        }
        break;
      default:
        throw ApiError.badRequest(`Unexpected kind: ${raw.op}`);
    }
  }
  return doc;
}
