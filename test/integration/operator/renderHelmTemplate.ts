import yaml from 'js-yaml';

/**
 * Renders a Helm template with the subset of Go templates the kuberdd chart uses — and fails
 * loudly on anything else, so the chart cannot drift beyond what this checks:
 * `{{ .Values.x }}`, `{{ $.Release.Name }}`, `{{ . }}`, `{{- … -}}` whitespace trimming,
 * `if`/`else`/`end`, `range`/`end` over lists, and the pipeline functions `quote`, `toYaml`,
 * `nindent N`, `default D`.
 */
export function renderHelmTemplate(template: string, root: Record<string, unknown>): string {
  const nodes = parse(tokenize(template));
  return render(nodes, root, root);
}

type Token = { kind: 'text'; text: string } | { kind: 'action'; body: string };
type Node = { kind: 'text'; text: string } | { kind: 'expr'; expr: string } | { kind: 'if'; expr: string; then: Node[]; else: Node[] } | { kind: 'range'; expr: string; body: Node[] };

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const open = source.indexOf('{{', i);
    if (open === -1) {
      tokens.push({ kind: 'text', text: source.slice(i) });
      break;
    }
    const close = source.indexOf('}}', open);
    if (close === -1) throw new Error(`unclosed {{ at offset ${open}`);
    let text = source.slice(i, open);
    let body = source.slice(open + 2, close);
    if (body.startsWith('-')) {
      text = text.replace(/\s+$/, '');
      body = body.slice(1);
    }
    let trimAfter = false;
    if (body.endsWith('-')) {
      trimAfter = true;
      body = body.slice(0, -1);
    }
    tokens.push({ kind: 'text', text }, { kind: 'action', body: body.trim() });
    i = close + 2;
    if (trimAfter) while (i < source.length && /\s/.test(source[i]!)) i++;
  }
  return tokens;
}

function parse(tokens: Token[]): Node[] {
  let pos = 0;
  const block = (terminators: string[]): { nodes: Node[]; end: string } => {
    const nodes: Node[] = [];
    while (pos < tokens.length) {
      const t = tokens[pos++]!;
      if (t.kind === 'text') {
        nodes.push(t);
        continue;
      }
      const [word, ...rest] = t.body.split(/\s+/);
      if (terminators.includes(word!)) return { nodes, end: word! };
      if (word === 'if') {
        const then = block(['else', 'end']);
        const otherwise = then.end === 'else' ? block(['end']).nodes : [];
        nodes.push({ kind: 'if', expr: rest.join(' '), then: then.nodes, else: otherwise });
      } else if (word === 'range') {
        nodes.push({ kind: 'range', expr: rest.join(' '), body: block(['end']).nodes });
      } else if (word === 'end' || word === 'else' || word === 'define' || word === 'include' || word === 'with' || word === 'template') {
        throw new Error(`unsupported or misplaced action {{ ${t.body} }}`);
      } else {
        nodes.push({ kind: 'expr', expr: t.body });
      }
    }
    if (terminators.length > 0) throw new Error(`missing {{ end }} (expected one of ${terminators.join(', ')})`);
    return { nodes, end: '' };
  };
  return block([]).nodes;
}

function render(nodes: Node[], dot: unknown, root: Record<string, unknown>): string {
  let out = '';
  for (const node of nodes) {
    if (node.kind === 'text') out += node.text;
    else if (node.kind === 'expr') out += stringify(evaluate(node.expr, dot, root));
    else if (node.kind === 'if') out += render(truthy(evaluate(node.expr, dot, root)) ? node.then : node.else, dot, root);
    else {
      const list = evaluate(node.expr, dot, root);
      if (list === undefined || list === null) continue;
      if (!Array.isArray(list)) throw new Error(`range over a non-list: ${node.expr}`);
      for (const item of list) out += render(node.body, item, root);
    }
  }
  return out;
}

function evaluate(expr: string, dot: unknown, root: Record<string, unknown>): unknown {
  let value: unknown;
  let first = true;
  for (const command of expr.split('|').map((c) => c.trim())) {
    const words = command.match(/"[^"]*"|\S+/g) ?? [];
    const args = words.slice(1).map((w) => operand(w, dot, root));
    if (!first) args.push(value);
    const head = words[0] ?? '';
    switch (head) {
      case 'quote':
        value = JSON.stringify(String(args.at(-1) ?? ''));
        break;
      case 'toYaml':
        value = yaml.dump(args.at(-1), { lineWidth: -1 }).replace(/\n$/, '');
        break;
      case 'nindent': {
        const pad = ' '.repeat(Number(args[0]));
        value = `\n${String(args.at(-1) ?? '')
          .split('\n')
          .map((line) => pad + line)
          .join('\n')}`;
        break;
      }
      case 'default':
        value = truthy(args[1]) ? args[1] : args[0];
        break;
      default:
        if (words.length !== 1 || !first) throw new Error(`unsupported template function '${head}' in {{ ${expr} }}`);
        value = operand(head, dot, root);
    }
    first = false;
  }
  return value;
}

function operand(word: string, dot: unknown, root: Record<string, unknown>): unknown {
  if (word.startsWith('"')) return word.slice(1, -1);
  if (/^-?\d+$/.test(word)) return Number(word);
  if (word === '.') return dot;
  if (word === '$') return root;
  let base: unknown;
  let path: string;
  if (word.startsWith('$.')) [base, path] = [root, word.slice(2)];
  else if (word.startsWith('.')) [base, path] = [dot, word.slice(1)];
  else throw new Error(`unsupported operand '${word}'`);
  for (const part of path.split('.')) {
    if (base === undefined || base === null) return undefined;
    base = (base as Record<string, unknown>)[part];
  }
  return base;
}

function truthy(value: unknown): boolean {
  if (Array.isArray(value)) return value.length > 0;
  if (value !== null && typeof value === 'object') return Object.keys(value).length > 0;
  return value !== undefined && value !== null && value !== false && value !== '' && value !== 0;
}

function stringify(value: unknown): string {
  if (value === undefined || value === null) return '';
  return String(value);
}
