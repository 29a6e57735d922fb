// One field-level validation failure, worded like Kubernetes' field.Error so a 422 from the
// stand-in reads like one from a real API server.
import { ApiError, type StatusCause } from './ApiError.js';

export type FieldErrorType =
  | 'FieldValueRequired'
  | 'FieldValueInvalid'
  | 'FieldValueNotSupported'
  | 'FieldValueTooLong'
  | 'FieldValueTooMany'
  | 'FieldValueForbidden'
  | 'FieldValueDuplicate';

export class FieldError {
  constructor(
    readonly type: FieldErrorType,
    readonly field: string,
    readonly detail: string,
  ) {}

  /** `spec.x: Invalid value: 0: spec.x in body should be greater than or equal to 1` */
  get message(): string {
    return `${this.field}: ${this.detail}`;
  }

  toCause(): StatusCause {
    return { reason: this.type, message: this.detail, field: this.field };
  }

  static required(field: string, why = ''): FieldError {
    return new FieldError('FieldValueRequired', field, why ? `Required value: ${why}` : 'Required value');
  }

  static invalid(field: string, value: unknown, why: string): FieldError {
    return new FieldError('FieldValueInvalid', field, `Invalid value: ${renderValue(value)}: ${why}`);
  }

  /** For values Go prints unquoted, such as `0x0`. */
  static invalidRendered(field: string, rendered: string, why: string): FieldError {
    return new FieldError('FieldValueInvalid', field, `Invalid value: ${rendered}: ${why}`);
  }

  static notSupported(field: string, value: unknown, supported: unknown[]): FieldError {
    const list = supported.map(renderValue).join(', ');
    return new FieldError('FieldValueNotSupported', field, `Unsupported value: ${renderValue(value)}: supported values: ${list}`);
  }

  static tooLong(field: string, max: number): FieldError {
    return new FieldError('FieldValueTooLong', field, `Too long: may not be longer than ${max}`);
  }

  static tooMany(field: string, actual: number, max: number): FieldError {
    return new FieldError('FieldValueTooMany', field, `Too many: ${actual}: must have at most ${max} items`);
  }

  static forbidden(field: string, why: string): FieldError {
    return new FieldError('FieldValueForbidden', field, `Forbidden: ${why}`);
  }

  static duplicate(field: string, value: unknown): FieldError {
    return new FieldError('FieldValueDuplicate', field, `Duplicate value: ${renderValue(value)}`);
  }
}

/** The 422 `Invalid` Status for a set of field errors on one object. */
export function invalidObject(kindDotGroup: string, name: string, kind: string, group: string, errors: FieldError[]): ApiError {
  const messages = errors.map((e) => e.message);
  const summary = messages.length === 1 ? messages[0] : `[${messages.join(', ')}]`;
  return new ApiError(422, 'Invalid', `${kindDotGroup} "${name}" is invalid: ${summary}`, {
    name,
    ...(group ? { group } : {}),
    kind,
    causes: errors.map((e) => e.toCause()),
  });
}

function renderValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'object') return Array.isArray(value) ? `[]interface {}{...}` : `map[string]interface {}{...}`;
  return String(value);
}
