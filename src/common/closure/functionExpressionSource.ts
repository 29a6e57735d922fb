import { parse } from 'espree';
import { ClosureError } from '../errors/ClosureError.js';

type Program = ReturnType<typeof parse>;

// Strict, because executors compile closures in strict mode (job modules are ESM, hence strict):
// sloppy-only syntax such as `with` is rejected on the driver instead of on every executor.
const parseOptions = {
  ecmaVersion: 'latest',
  sourceType: 'script',
  range: true,
  ecmaFeatures: { impliedStrict: true },
} as const;

const nativeCode = /\{\s*\[native code\]\s*\}\s*$/;

const functionTypes: ReadonlySet<string> = new Set(['ArrowFunctionExpression', 'FunctionExpression', 'ClassExpression']);

// The trailing newline ends a line comment the source might end with; callers wrap the same way.
function parseFunctionExpression(expression: string): Program {
  return parse(`(${expression}\n)`, parseOptions);
}

/**
 * Turns `fn.toString()` output into source that is a single function (or class) expression, so
 * it can be compiled as `(${source}\n)`.
 *
 * Method shorthand (`f(x) { … }`, `async f()`, `*f()`) becomes an anonymous `function (x) { … }`.
 * Anonymous on purpose: a method's own name is not bound inside its body, so naming it would
 * silently change what `f` means there; and method names such as `delete`, `'a b'` or
 * `[Symbol.iterator]` are not valid function names anyway.
 *
 * Throws ClosureError for native and bound functions, accessors, and sources that are not
 * exactly one function.
 */
export function functionExpressionSource(source: string): string {
  if (nativeCode.test(source)) {
    throw new ClosureError(
      'native and bound functions cannot be shipped to executors (their source is not available): ' +
        'wrap the call in a function of your own, e.g. `x => Math.sqrt(x)` instead of `Math.sqrt`, ' +
        'or `x => obj.method(x)` with `obj` in the environment instead of `obj.method.bind(obj)`',
    );
  }
  let asExpressionError: unknown;
  try {
    if (isSingleFunction(parseFunctionExpression(source))) return source;
  } catch (e) {
    asExpressionError = e;
  }
  const method = methodShorthand(source);
  if (method !== undefined) return method;
  const reason = asExpressionError instanceof Error ? asExpressionError.message : 'it is not a single function or class expression';
  throw new ClosureError(`cannot parse the function's source (${reason}): ${excerpt(source)}`, { cause: asExpressionError });
}

function isSingleFunction(program: Program): boolean {
  const [statement, ...rest] = program.body;
  return rest.length === 0 && statement?.type === 'ExpressionStatement' && functionTypes.has(statement.expression.type);
}

/** `f(x) { … }` → `function (x) { … }`; undefined when `source` is not a lone method. */
function methodShorthand(source: string): string | undefined {
  const wrapped = `({ ${source}\n})`;
  let program: Program;
  try {
    program = parse(wrapped, parseOptions);
  } catch {
    return undefined;
  }
  const [statement, ...rest] = program.body;
  if (rest.length > 0 || statement?.type !== 'ExpressionStatement') return undefined;
  const object = statement.expression;
  if (object.type !== 'ObjectExpression' || object.properties.length !== 1) return undefined;
  const property = object.properties[0];
  if (property?.type !== 'Property') return undefined;
  if (property.kind === 'get' || property.kind === 'set') {
    throw new ClosureError(
      `getters and setters cannot be shipped to executors: pass a plain function instead: ${excerpt(source)}`,
    );
  }
  const value = property.value;
  if (!property.method || value.type !== 'FunctionExpression') return undefined;
  // The method's FunctionExpression starts at its parameter list.
  const rebuilt = `${value.async ? 'async ' : ''}function${value.generator ? '*' : ''} ${wrapped.slice(value.start, value.end)}`;
  // Parse again: a method body may use `super`, which a plain function cannot.
  try {
    if (isSingleFunction(parseFunctionExpression(rebuilt))) return rebuilt;
  } catch (e) {
    throw new ClosureError(
      `cannot ship this method (${e instanceof Error ? e.message : String(e)}); ` +
        `methods that use \`super\` only work on their object: ${excerpt(source)}`,
      { cause: e },
    );
  }
  return undefined;
}

function excerpt(source: string): string {
  const flat = source.replace(/\s+/g, ' ').trim();
  return flat.length > 80 ? `${flat.slice(0, 77)}...` : flat;
}
