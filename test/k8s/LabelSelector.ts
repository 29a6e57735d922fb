// A parsed `labelSelector` query parameter (equality, `!=`, `in`, `notin`, exists, `!key`,
// `>`/`<`), matched against an object's labels.
import { ApiError } from './ApiError.js';

type Requirement =
  | { op: 'exists' | 'notExists'; key: string }
  | { op: 'in' | 'notin'; key: string; values: Set<string> }
  | { op: 'gt' | 'lt'; key: string; value: number };

const KEY = /^([a-z0-9]([-a-z0-9.]*[a-z0-9])?\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$/;

function splitRequirements(selector: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of selector) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      parts.push(current);
      current = '';
    } else {
      current += ch;
    }
  }
  parts.push(current);
  return parts.map((p) => p.trim()).filter((p) => p.length > 0);
}

function checkKey(key: string, selector: string): string {
  if (!KEY.test(key)) throw ApiError.badRequest(`unable to parse requirement: invalid label key "${key}" in selector "${selector}"`);
  return key;
}

function checkValue(value: string, selector: string): string {
  if (value.length > 63 || !VALUE.test(value)) {
    throw ApiError.badRequest(`unable to parse requirement: invalid label value: "${value}" in selector "${selector}"`);
  }
  return value;
}

export class LabelSelector {
  private constructor(private readonly requirements: Requirement[]) {}

  static readonly everything = new LabelSelector([]);

  static parse(selector: string | undefined): LabelSelector {
    if (selector === undefined || selector.trim() === '') return LabelSelector.everything;
    const requirements: Requirement[] = [];
    for (const part of splitRequirements(selector)) {
      let m: RegExpMatchArray | null;
      if ((m = part.match(/^(\S+)\s+(in|notin)\s*\((.*)\)$/))) {
        const values = (m[3] as string).split(',').map((v) => checkValue(v.trim(), selector));
        requirements.push({ op: m[2] as 'in' | 'notin', key: checkKey(m[1] as string, selector), values: new Set(values) });
      } else if ((m = part.match(/^([^=!<>\s]+)\s*(==|=|!=)\s*(\S*)$/))) {
        const key = checkKey(m[1] as string, selector);
        const value = checkValue(m[3] as string, selector);
        requirements.push({ op: m[2] === '!=' ? 'notin' : 'in', key, values: new Set([value]) });
      } else if ((m = part.match(/^([^=!<>\s]+)\s*([<>])\s*(-?\d+)$/))) {
        requirements.push({ op: m[2] === '>' ? 'gt' : 'lt', key: checkKey(m[1] as string, selector), value: Number(m[3]) });
      } else if ((m = part.match(/^!\s*(\S+)$/))) {
        requirements.push({ op: 'notExists', key: checkKey(m[1] as string, selector) });
      } else if ((m = part.match(/^(\S+)$/))) {
        requirements.push({ op: 'exists', key: checkKey(m[1] as string, selector) });
      } else {
        throw ApiError.badRequest(`unable to parse requirement: "${part}" in label selector "${selector}"`);
      }
    }
    return new LabelSelector(requirements);
  }

  matches(labels: Record<string, string> | undefined): boolean {
    const get = (key: string): string | undefined => (labels && Object.hasOwn(labels, key) ? labels[key] : undefined);
    return this.requirements.every((r) => {
      const value = get(r.key);
      switch (r.op) {
        case 'exists':
          return value !== undefined;
        case 'notExists':
          return value === undefined;
        case 'in':
          return value !== undefined && r.values.has(value);
        case 'notin':
          return value === undefined || !r.values.has(value);
        case 'gt':
          return value !== undefined && Number(value) > r.value;
        case 'lt':
          return value !== undefined && Number(value) < r.value;
      }
    });
  }
}
