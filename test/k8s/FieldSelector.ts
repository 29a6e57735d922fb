// A parsed `fieldSelector` (`a=b`, `a==b`, `a!=b`, comma-separated). Only the fields a real
// server supports for the kind are accepted, so code that works here works on a cluster.
import { ApiError } from './ApiError.js';
import type { ResourceType } from './ResourceType.js';

interface Term {
  field: string;
  value: string;
  negated: boolean;
}

export class FieldSelector {
  private constructor(private readonly terms: Term[]) {}

  static readonly everything = new FieldSelector([]);

  static parse(selector: string | undefined, type: ResourceType): FieldSelector {
    if (selector === undefined || selector.trim() === '') return FieldSelector.everything;
    const terms: Term[] = [];
    for (const part of selector.split(',').map((p) => p.trim()).filter((p) => p.length > 0)) {
      const m = part.match(/^([^=!]+?)\s*(==|=|!=)\s*(.*)$/);
      if (!m) throw ApiError.badRequest(`invalid selector: '${selector}'; can't understand '${part}'`);
      const field = m[1] as string;
      if (field !== 'metadata.name' && field !== 'metadata.namespace' && !type.selectableFields.includes(field)) {
        throw ApiError.badRequest(`field label not supported: ${field}`);
      }
      terms.push({ field, value: m[3] as string, negated: m[2] === '!=' });
    }
    return new FieldSelector(terms);
  }

  get isEmpty(): boolean {
    return this.terms.length === 0;
  }

  matches(object: Record<string, unknown>): boolean {
    return this.terms.every((t) => (fieldValue(object, t.field) === t.value) !== t.negated);
  }
}

function fieldValue(object: Record<string, unknown>, path: string): string {
  let current: unknown = object;
  for (const part of path.split('.')) {
    if (typeof current !== 'object' || current === null) return '';
    current = (current as Record<string, unknown>)[part];
  }
  if (current === undefined || current === null) return '';
  if (typeof current === 'object') {
    // events' `source` selects on source.component
    const component = (current as Record<string, unknown>).component;
    return typeof component === 'string' ? component : '';
  }
  return String(current);
}
