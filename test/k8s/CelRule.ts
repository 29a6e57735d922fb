// A small interpreter for the simple forms of CEL that `x-kubernetes-validations` rules use:
// literals, `self`/`oldSelf` field and index access, `has()`, `size()`, comparisons, arithmetic,
// `&&` `||` `!`, `? :`, `in`, string `startsWith`/`endsWith`/`contains`/`matches`, and the
// list macros `all`/`exists`. A rule outside this subset compiles to an unsupported rule
// (see `unsupportedReason`) that the stand-in reports when the CRD is registered.

type Value = unknown;

type Node =
  | { k: 'lit'; v: Value }
  | { k: 'id'; name: string }
  | { k: 'member'; target: Node; name: string }
  | { k: 'index'; target: Node; index: Node }
  | { k: 'call'; name: string; target: Node | undefined; args: Node[] }
  | { k: 'unary'; op: string; operand: Node }
  | { k: 'binary'; op: string; left: Node; right: Node }
  | { k: 'cond'; test: Node; then: Node; else: Node }
  | { k: 'list'; items: Node[] };

class CelSyntaxError extends Error {
  override readonly name = 'CelSyntaxError';
}

class CelEvaluationError extends Error {
  override readonly name = 'CelEvaluationError';
}

const TOKEN = /\s*(?:(\d+\.\d+|\d+)|("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')|([A-Za-z_][A-Za-z0-9_]*)|(==|!=|<=|>=|&&|\|\||[-+*/%<>!?:.,()[\]]))/y;

function tokenize(source: string): string[] {
  const tokens: string[] = [];
  TOKEN.lastIndex = 0;
  let at = 0;
  while (at < source.length) {
    if (/^\s*$/.test(source.slice(at))) break;
    TOKEN.lastIndex = at;
    const m = TOKEN.exec(source);
    if (!m) throw new CelSyntaxError(`unexpected character at ${at}: ${source.slice(at, at + 10)}`);
    tokens.push((m[1] ?? m[2] ?? m[3] ?? m[4]) as string);
    at = TOKEN.lastIndex;
  }
  return tokens;
}

class Parser {
  private at = 0;
  constructor(private readonly tokens: string[]) {}

  parse(): Node {
    const node = this.ternary();
    if (this.at < this.tokens.length) throw new CelSyntaxError(`unexpected '${this.tokens[this.at]}'`);
    return node;
  }

  private peek(): string | undefined {
    return this.tokens[this.at];
  }

  private take(expected?: string): string {
    const token = this.tokens[this.at];
    if (token === undefined || (expected !== undefined && token !== expected)) {
      throw new CelSyntaxError(`expected ${expected ?? 'a token'}, found ${token ?? 'end of rule'}`);
    }
    this.at++;
    return token;
  }

  private ternary(): Node {
    const test = this.binary(0);
    if (this.peek() !== '?') return test;
    this.take('?');
    const then = this.ternary();
    this.take(':');
    return { k: 'cond', test, then, else: this.ternary() };
  }

  private static readonly LEVELS = [['||'], ['&&'], ['==', '!=', '<', '<=', '>', '>=', 'in'], ['+', '-'], ['*', '/', '%']];

  private binary(level: number): Node {
    const ops = Parser.LEVELS[level];
    if (!ops) return this.unary();
    let left = this.binary(level + 1);
    while (ops.includes(this.peek() ?? '')) {
      const op = this.take();
      left = { k: 'binary', op, left, right: this.binary(level + 1) };
    }
    return left;
  }

  private unary(): Node {
    if (this.peek() === '!' || this.peek() === '-') {
      const op = this.take();
      return { k: 'unary', op, operand: this.unary() };
    }
    return this.postfix();
  }

  private args(): Node[] {
    const args: Node[] = [];
    this.take('(');
    while (this.peek() !== ')') {
      args.push(this.ternary());
      if (this.peek() === ',') this.take(',');
    }
    this.take(')');
    return args;
  }

  private postfix(): Node {
    let node = this.primary();
    for (;;) {
      if (this.peek() === '.') {
        this.take('.');
        const name = this.take();
        node = this.peek() === '(' ? { k: 'call', name, target: node, args: this.args() } : { k: 'member', target: node, name };
      } else if (this.peek() === '[') {
        this.take('[');
        const index = this.ternary();
        this.take(']');
        node = { k: 'index', target: node, index };
      } else {
        return node;
      }
    }
  }

  private primary(): Node {
    const token = this.take();
    if (token === '(') {
      const inner = this.ternary();
      this.take(')');
      return inner;
    }
    if (token === '[') {
      const items: Node[] = [];
      while (this.peek() !== ']') {
        items.push(this.ternary());
        if (this.peek() === ',') this.take(',');
      }
      this.take(']');
      return { k: 'list', items };
    }
    if (/^\d/.test(token)) return { k: 'lit', v: Number(token) };
    if (token.startsWith('"') || token.startsWith("'")) return { k: 'lit', v: JSON.parse(`"${token.slice(1, -1).replace(/\\'/g, "'").replace(/"/g, '\\"')}"`) };
    if (token === 'true' || token === 'false') return { k: 'lit', v: token === 'true' };
    if (token === 'null') return { k: 'lit', v: null };
    if (/^[A-Za-z_]/.test(token)) {
      if (this.peek() === '(') return { k: 'call', name: token, target: undefined, args: this.args() };
      return { k: 'id', name: token };
    }
    throw new CelSyntaxError(`unexpected '${token}'`);
  }
}

function usesOldSelf(node: Node): boolean {
  return JSON.stringify(node).includes('"name":"oldSelf"');
}

function equal(a: Value, b: Value): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function isRecord(v: Value): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

class Scope {
  constructor(private readonly vars: Map<string, Value>) {}
  get(name: string): Value {
    if (!this.vars.has(name)) throw new CelEvaluationError(`undeclared reference to '${name}'`);
    return this.vars.get(name);
  }
  with(name: string, value: Value): Scope {
    return new Scope(new Map(this.vars).set(name, value));
  }
}

function evaluate(node: Node, scope: Scope): Value {
  switch (node.k) {
    case 'lit':
      return node.v;
    case 'id':
      return scope.get(node.name);
    case 'list':
      return node.items.map((item) => evaluate(item, scope));
    case 'member': {
      const target = evaluate(node.target, scope);
      if (!isRecord(target) || !(node.name in target)) throw new CelEvaluationError(`no such key: ${node.name}`);
      return target[node.name];
    }
    case 'index': {
      const target = evaluate(node.target, scope);
      const index = evaluate(node.index, scope);
      if (Array.isArray(target) && typeof index === 'number' && index >= 0 && index < target.length) return target[index];
      if (isRecord(target) && typeof index === 'string' && index in target) return target[index];
      throw new CelEvaluationError(`no such key: ${String(index)}`);
    }
    case 'unary': {
      const v = evaluate(node.operand, scope);
      return node.op === '!' ? !v : -(v as number);
    }
    case 'cond':
      return evaluate(node.test, scope) === true ? evaluate(node.then, scope) : evaluate(node.else, scope);
    case 'binary':
      return binary(node, scope);
    case 'call':
      return call(node, scope);
  }
}

function binary(node: Extract<Node, { k: 'binary' }>, scope: Scope): Value {
  if (node.op === '&&') return evaluate(node.left, scope) === true && evaluate(node.right, scope) === true;
  if (node.op === '||') return evaluate(node.left, scope) === true || evaluate(node.right, scope) === true;
  const a = evaluate(node.left, scope);
  const b = evaluate(node.right, scope);
  switch (node.op) {
    case '==':
      return equal(a, b);
    case '!=':
      return !equal(a, b);
    case '<':
      return (a as number) < (b as number);
    case '<=':
      return (a as number) <= (b as number);
    case '>':
      return (a as number) > (b as number);
    case '>=':
      return (a as number) >= (b as number);
    case 'in':
      if (Array.isArray(b)) return b.some((x) => equal(x, a));
      if (isRecord(b)) return typeof a === 'string' && a in b;
      throw new CelEvaluationError(`'in' needs a list or map`);
    case '+':
      if (Array.isArray(a) && Array.isArray(b)) return [...a, ...b];
      return (a as number) + (b as number);
    case '-':
      return (a as number) - (b as number);
    case '*':
      return (a as number) * (b as number);
    case '/':
      if (b === 0) throw new CelEvaluationError('division by zero');
      return Number.isInteger(a) && Number.isInteger(b) ? Math.trunc((a as number) / (b as number)) : (a as number) / (b as number);
    case '%':
      return (a as number) % (b as number);
    default:
      throw new CelEvaluationError(`unsupported operator ${node.op}`);
  }
}

function size(v: Value): number {
  if (typeof v === 'string') return [...v].length;
  if (Array.isArray(v)) return v.length;
  if (isRecord(v)) return Object.keys(v).length;
  throw new CelEvaluationError('size() needs a string, list or map');
}

function call(node: Extract<Node, { k: 'call' }>, scope: Scope): Value {
  if (node.target === undefined) {
    const [first] = node.args;
    if (!first) throw new CelEvaluationError(`${node.name}() needs an argument`);
    switch (node.name) {
      case 'has': {
        if (first.k !== 'member') throw new CelEvaluationError('has() needs a field selection');
        const target = evaluate(first.target, scope);
        return isRecord(target) && first.name in target;
      }
      case 'size':
        return size(evaluate(first, scope));
      case 'int':
        return Math.trunc(Number(evaluate(first, scope)));
      case 'string':
        return String(evaluate(first, scope));
      case 'double':
        return Number(evaluate(first, scope));
      default:
        throw new CelEvaluationError(`unsupported function ${node.name}`);
    }
  }
  if (node.name === 'all' || node.name === 'exists' || node.name === 'exists_one') {
    const [variable, predicate] = node.args;
    if (variable?.k !== 'id' || !predicate) throw new CelEvaluationError(`${node.name}() needs (variable, predicate)`);
    const target = evaluate(node.target, scope);
    const items = Array.isArray(target) ? target : isRecord(target) ? Object.keys(target) : [];
    const results = items.map((item) => evaluate(predicate, scope.with(variable.name, item)) === true);
    if (node.name === 'all') return results.every(Boolean);
    if (node.name === 'exists') return results.some(Boolean);
    return results.filter(Boolean).length === 1;
  }
  const target = evaluate(node.target, scope);
  const args = node.args.map((arg) => evaluate(arg, scope));
  switch (node.name) {
    case 'size':
      return size(target);
    case 'startsWith':
      return String(target).startsWith(String(args[0]));
    case 'endsWith':
      return String(target).endsWith(String(args[0]));
    case 'contains':
      return String(target).includes(String(args[0]));
    case 'matches':
      return new RegExp(String(args[0]), 'u').test(String(target));
    default:
      throw new CelEvaluationError(`unsupported method ${node.name}`);
  }
}

export class CelRule {
  private static readonly cache = new Map<string, CelRule>();

  private constructor(
    readonly source: string,
    private readonly ast: Node | undefined,
    /** Why the stand-in cannot evaluate this rule, or undefined when it can. */
    readonly unsupportedReason: string | undefined,
  ) {}

  static compile(source: string): CelRule {
    let rule = CelRule.cache.get(source);
    if (!rule) {
      try {
        rule = new CelRule(source, new Parser(tokenize(source)).parse(), undefined);
      } catch (error: unknown) {
        rule = new CelRule(source, undefined, error instanceof Error ? error.message : String(error));
      }
      CelRule.cache.set(source, rule);
    }
    return rule;
  }

  /**
   * true/false for a verdict; 'skipped' for transition rules without an old value (creates) and
   * for rules outside the supported subset. An evaluation error fails the rule, as on a real server.
   */
  evaluate(self: Value, oldSelf: Value): boolean | 'skipped' {
    if (!this.ast) return 'skipped';
    const transition = usesOldSelf(this.ast);
    if (transition && oldSelf === undefined) return 'skipped';
    const vars = new Map<string, Value>([['self', self]]);
    if (transition) vars.set('oldSelf', oldSelf);
    try {
      return evaluate(this.ast, new Scope(vars)) === true;
    } catch (error: unknown) {
      if (error instanceof CelEvaluationError) return false;
      throw error;
    }
  }
}
