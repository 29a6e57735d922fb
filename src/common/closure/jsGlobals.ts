/** ECMAScript built-ins every executor has. `eval` is left out: it would need the caller's scope. */
const ecmaScript = [
  'globalThis', 'Infinity', 'NaN', 'undefined',
  'isNaN', 'isFinite', 'parseInt', 'parseFloat',
  'encodeURI', 'encodeURIComponent', 'decodeURI', 'decodeURIComponent', 'escape', 'unescape',
  'Object', 'Function', 'Array', 'Number', 'String', 'Boolean', 'Symbol', 'BigInt',
  'Math', 'JSON', 'Date', 'RegExp', 'Promise', 'Proxy', 'Reflect', 'Atomics', 'Intl',
  'Map', 'Set', 'WeakMap', 'WeakSet', 'WeakRef', 'FinalizationRegistry',
  'Error', 'AggregateError', 'EvalError', 'RangeError', 'ReferenceError', 'SyntaxError', 'TypeError', 'URIError',
  'ArrayBuffer', 'SharedArrayBuffer', 'DataView',
  'Int8Array', 'Uint8Array', 'Uint8ClampedArray', 'Int16Array', 'Uint16Array', 'Int32Array', 'Uint32Array',
  'Float32Array', 'Float64Array', 'BigInt64Array', 'BigUint64Array',
];

/**
 * Newer built-ins, allowed only when this runtime has them: driver and executors run the same
 * Node image, so what exists here exists there.
 */
const ecmaScriptIfPresent = ['Iterator', 'Float16Array', 'SuppressedError', 'DisposableStack', 'AsyncDisposableStack'];

/**
 * Node and web globals on every executor. `process` is allowed because executors are Node
 * processes and reading `process.env` or `process.hrtime` there is legitimate; note that it is
 * the executor's process, not the driver's. `__name` is the helper tsx (esbuild keepNames) emits
 * into function bodies; the executor defines it. Module-scoped names (`require`, `module`,
 * `exports`, `__dirname`, `__filename`) are deliberately absent: executors have no module.
 */
const runtime = [
  'console', 'process', 'Buffer', 'TextEncoder', 'TextDecoder', 'URL', 'URLSearchParams',
  'structuredClone', 'queueMicrotask', 'setTimeout', 'clearTimeout', 'setInterval', 'clearInterval',
  'setImmediate', 'clearImmediate', 'performance', 'crypto', 'atob', 'btoa',
  'AbortController', 'AbortSignal', 'Event', 'EventTarget', '__name',
];

/** Free variables a shipped function may use without putting them in its environment. */
export const jsGlobals: ReadonlySet<string> = new Set([
  ...ecmaScript,
  ...ecmaScriptIfPresent.filter((name) => name in globalThis),
  ...runtime,
]);
