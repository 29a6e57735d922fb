// The subset of a CRD's openAPIV3Schema the stand-in enforces, in the order the real API server
// applies it: prune unknown fields, apply `default:` values, then validate (types, required,
// enums, bounds, patterns, lengths, item counts and the supported CEL rules).
import { FieldError } from './FieldError.js';
import { CelRule } from './CelRule.js';

export interface StructuralSchema {
  type?: string;
  description?: string;
  properties?: Record<string, StructuralSchema>;
  items?: StructuralSchema;
  additionalProperties?: StructuralSchema | boolean;
  required?: string[];
  enum?: unknown[];
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: boolean;
  exclusiveMaximum?: boolean;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  minItems?: number;
  maxItems?: number;
  minProperties?: number;
  maxProperties?: number;
  uniqueItems?: boolean;
  format?: string;
  nullable?: boolean;
  default?: unknown;
  'x-kubernetes-preserve-unknown-fields'?: boolean;
  'x-kubernetes-int-or-string'?: boolean;
  'x-kubernetes-embedded-resource'?: boolean;
  'x-kubernetes-validations'?: Array<{ rule: string; message?: string; reason?: string; fieldPath?: string }>;
  'x-kubernetes-list-type'?: string;
  'x-kubernetes-list-map-keys'?: string[];
}

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function join(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}

/** Fields a CR's root keeps whatever its schema says. */
const ROOT_FIELDS = new Set(['apiVersion', 'kind', 'metadata']);

/** Removes fields the schema does not know; returns their paths (for fieldValidation=Warn/Strict). */
export function pruneUnknownFields(value: unknown, schema: StructuralSchema, path = '', root = true): string[] {
  const pruned: string[] = [];
  if (schema['x-kubernetes-preserve-unknown-fields'] === true && schema.properties === undefined) return pruned;
  if (isObject(value)) {
    const properties = schema.properties;
    const additional = schema.additionalProperties;
    for (const key of Object.keys(value)) {
      if (root && ROOT_FIELDS.has(key)) continue;
      const child = properties?.[key] ?? (isObject(additional) ? additional : undefined);
      if (child) {
        pruned.push(...pruneUnknownFields(value[key], child, join(path, key), false));
      } else if (additional === true || schema['x-kubernetes-preserve-unknown-fields'] === true) {
        continue;
      } else {
        delete value[key];
        pruned.push(join(path, key));
      }
    }
    if (schema['x-kubernetes-embedded-resource'] === true) {
      // apiVersion/kind/metadata of an embedded object are always kept.
    }
  } else if (Array.isArray(value) && schema.items) {
    value.forEach((item, i) => pruned.push(...pruneUnknownFields(item, schema.items as StructuralSchema, `${path}[${i}]`, false)));
  }
  return pruned;
}

/** Fills in `default:` values of absent properties (recursively, also inside array items and maps). */
export function applyDefaults(value: unknown, schema: StructuralSchema): void {
  if (isObject(value)) {
    for (const [key, child] of Object.entries(schema.properties ?? {})) {
      if (value[key] === undefined && child.default !== undefined) value[key] = structuredClone(child.default);
      if (value[key] !== undefined) applyDefaults(value[key], child);
    }
    const additional = schema.additionalProperties;
    if (isObject(additional)) {
      for (const [key, child] of Object.entries(value)) {
        if (schema.properties?.[key] === undefined) applyDefaults(child, additional as StructuralSchema);
      }
    }
  } else if (Array.isArray(value) && schema.items) {
    for (const item of value) applyDefaults(item, schema.items);
  }
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

function matchesType(value: unknown, schema: StructuralSchema): boolean {
  if (schema['x-kubernetes-int-or-string'] === true) return typeof value === 'string' || Number.isInteger(value);
  switch (schema.type) {
    case undefined:
      return true;
    case 'object':
      return isObject(value);
    case 'array':
      return Array.isArray(value);
    case 'string':
      return typeof value === 'string';
    case 'integer':
      return typeof value === 'number' && Number.isInteger(value);
    case 'number':
      return typeof value === 'number';
    case 'boolean':
      return typeof value === 'boolean';
    default:
      return true;
  }
}

const compiledPatterns = new Map<string, RegExp>();
function compiledPattern(pattern: string): RegExp {
  let re = compiledPatterns.get(pattern);
  if (!re) {
    re = new RegExp(pattern, 'u');
    compiledPatterns.set(pattern, re);
  }
  return re;
}

/**
 * Validates `value` against `schema`, appending field errors (worded like the real server's).
 * `oldValue` (on updates) feeds CEL transition rules (`oldSelf`).
 */
export function validateAgainstSchema(value: unknown, schema: StructuralSchema, path: string, errors: FieldError[], oldValue?: unknown): void {
  const at = path || '<root>';
  if (value === null) {
    if (schema.nullable === true) return;
    if (schema.type !== undefined) {
      errors.push(FieldError.invalid(at, 'null', `${at} in body must be of type ${schema.type}: "null"`));
    }
    return;
  }
  if (!matchesType(value, schema)) {
    const expected = schema['x-kubernetes-int-or-string'] === true ? 'integer,string' : schema.type;
    errors.push(FieldError.invalid(at, typeName(value), `${at} in body must be of type ${expected}: "${typeName(value)}"`));
    return;
  }
  if (schema.enum !== undefined && !schema.enum.some((allowed) => JSON.stringify(allowed) === JSON.stringify(value))) {
    errors.push(FieldError.notSupported(at, value, schema.enum));
  }
  if (typeof value === 'number') {
    if (schema.minimum !== undefined) {
      const tooSmall = schema.exclusiveMinimum === true ? value <= schema.minimum : value < schema.minimum;
      if (tooSmall) {
        const relation = schema.exclusiveMinimum === true ? 'greater than' : 'greater than or equal to';
        errors.push(FieldError.invalid(at, value, `${at} in body should be ${relation} ${schema.minimum}`));
      }
    }
    if (schema.maximum !== undefined) {
      const tooLarge = schema.exclusiveMaximum === true ? value >= schema.maximum : value > schema.maximum;
      if (tooLarge) {
        const relation = schema.exclusiveMaximum === true ? 'less than' : 'less than or equal to';
        errors.push(FieldError.invalid(at, value, `${at} in body should be ${relation} ${schema.maximum}`));
      }
    }
  }
  if (typeof value === 'string') {
    const length = [...value].length;
    if (schema.maxLength !== undefined && length > schema.maxLength) errors.push(FieldError.tooLong(at, schema.maxLength));
    if (schema.minLength !== undefined && length < schema.minLength) {
      errors.push(FieldError.invalid(at, value, `${at} in body should be at least ${schema.minLength} chars long`));
    }
    if (schema.pattern !== undefined && !compiledPattern(schema.pattern).test(value)) {
      errors.push(FieldError.invalid(at, value, `${at} in body should match '${schema.pattern}'`));
    }
  }
  if (Array.isArray(value)) {
    if (schema.maxItems !== undefined && value.length > schema.maxItems) errors.push(FieldError.tooMany(at, value.length, schema.maxItems));
    if (schema.minItems !== undefined && value.length < schema.minItems) {
      errors.push(FieldError.invalid(at, value.length, `${at} in body should have at least ${schema.minItems} items`));
    }
    if (schema.uniqueItems === true || schema['x-kubernetes-list-type'] === 'set') {
      const seen = new Set<string>();
      value.forEach((item, i) => {
        const key = JSON.stringify(item);
        if (seen.has(key)) errors.push(FieldError.duplicate(`${path}[${i}]`, item));
        seen.add(key);
      });
    }
    if (schema['x-kubernetes-list-type'] === 'map' && schema['x-kubernetes-list-map-keys']) {
      const keys = schema['x-kubernetes-list-map-keys'];
      const seen = new Set<string>();
      value.forEach((item, i) => {
        const key = JSON.stringify(keys.map((k) => (isObject(item) ? item[k] : undefined)));
        if (seen.has(key)) errors.push(FieldError.duplicate(`${path}[${i}]`, key));
        seen.add(key);
      });
    }
    const oldItems = Array.isArray(oldValue) ? oldValue : undefined;
    if (schema.items) value.forEach((item, i) => validateAgainstSchema(item, schema.items as StructuralSchema, `${path}[${i}]`, errors, oldItems?.[i]));
  }
  if (isObject(value)) {
    const count = Object.keys(value).length;
    if (schema.maxProperties !== undefined && count > schema.maxProperties) {
      errors.push(FieldError.tooMany(at, count, schema.maxProperties));
    }
    if (schema.minProperties !== undefined && count < schema.minProperties) {
      errors.push(FieldError.invalid(at, count, `${at} in body should have at least ${schema.minProperties} properties`));
    }
    for (const name of schema.required ?? []) {
      if (value[name] === undefined) errors.push(FieldError.required(join(path, name)));
    }
    const old = isObject(oldValue) ? oldValue : undefined;
    for (const [key, child] of Object.entries(value)) {
      const childSchema = schema.properties?.[key] ?? (isObject(schema.additionalProperties) ? (schema.additionalProperties as StructuralSchema) : undefined);
      if (childSchema && !(path === '' && key === 'metadata')) validateAgainstSchema(child, childSchema, join(path, key), errors, old?.[key]);
    }
  }
  for (const validation of schema['x-kubernetes-validations'] ?? []) {
    const rule = CelRule.compile(validation.rule);
    const verdict = rule.evaluate(value, oldValue);
    if (verdict === 'skipped') continue;
    if (verdict === false) {
      const field = validation.fieldPath ? `${path}${validation.fieldPath}` : at;
      const message = validation.message ?? `failed rule: ${validation.rule}`;
      errors.push(FieldError.invalid(field, typeof value === 'object' ? 'object' : value, message));
    }
  }
}
