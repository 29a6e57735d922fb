/**
 * Names that cannot be bound in the executor's generated scope: reserved words (strict mode, since
 * closures are compiled strict), `eval`/`arguments` (strict mode forbids binding them), and the
 * names the generated scope itself uses.
 */
const unbindable: ReadonlySet<string> = new Set([
  'await', 'break', 'case', 'catch', 'class', 'const', 'continue', 'debugger', 'default', 'delete',
  'do', 'else', 'enum', 'export', 'extends', 'false', 'finally', 'for', 'function', 'if',
  'implements', 'import', 'in', 'instanceof', 'interface', 'let', 'new', 'null', 'package',
  'private', 'protected', 'public', 'return', 'static', 'super', 'switch', 'this', 'throw', 'true',
  'try', 'typeof', 'var', 'void', 'while', 'with', 'yield', 'eval', 'arguments', '__name',
]);

const identifier = /^[\p{ID_Start}$_][\p{ID_Continue}$\u200C\u200D]*$/u;

/** Prefix of the helper names in the generated scope; env keys may not use it. */
export const reservedEnvPrefix = '__kuberdd';

/**
 * Whether `name` can be an environment key: env keys become `let` bindings in the scope that
 * reviveClosure generates, so anything else would either fail to compile or inject code.
 */
export function isEnvIdentifier(name: string): boolean {
  return identifier.test(name) && !unbindable.has(name) && !name.startsWith(reservedEnvPrefix);
}
