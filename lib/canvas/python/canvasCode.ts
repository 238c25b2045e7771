/**
 * The canvas of an exported Python module as assignment statements: `chain/group/chord`, `.s()/.si()`,
 * `.set(...)` for per-node options, `link` and `link_error`, Celery's map tasks as `xmap/xstarmap/chunks`.
 *
 * Nesting is written inline up to `MAX_INLINE_DEPTH` levels below a statement; a deeper sub-canvas is
 * hoisted into a variable (`s1 = group([...], app=app)`) assigned before the statement that uses it.
 * Why: inline, every line carries its depth's indentation and every level re-copies the text inside it,
 * so output and time grew as tasks × depth (100,000 tasks at depth 95: 20 MB, 5 s), and Python's parser
 * refuses more than 200 nested brackets (a canvas nested 100 deep did not compile). Each variable is used
 * exactly once, so the module builds the same signature objects inline code would.
 */
import { toCeleryOptionKey } from '../celeryOptions';
import { sugarMapNode } from '../chunks';
import type { CanvasNode, Json, TaskNode } from '../model';
import { kwargsCall, pyLiteral } from './literals';

/** Container levels written inline below a statement's root (small canvases stay one expression). */
export const MAX_INLINE_DEPTH = 4;

/**
 * Nesting from which the module raises Python's recursion limit: Celery clones, freezes and serializes
 * a canvas recursively, 5–10 Python frames a level (a chord nested 200 deep passes the default 1000;
 * measured with Celery 5.2.6).
 */
const DEEP_CANVAS = 50;

/**
 * Python statements building `tree`: hoisted sub-canvases first (deepest first), the last one
 * `target = …`. `fn` maps task names to their function names; hoisted variables are named `s1`, `s2` …
 * skipping every name in `taken` (task functions, exception classes the module defines).
 */
export function canvasStatements(
  tree: CanvasNode,
  fn: ReadonlyMap<string, string>,
  taken: ReadonlySet<string>,
  target = 'canvas',
): string[] {
  const writer = new CanvasWriter(fn, taken);
  const depth = nestingDepth(tree);
  if (depth > DEEP_CANVAS)
    writer.statements.push(
      [
        `# The canvas nests ${depth} levels deep and Celery walks it recursively: allow the frames.`,
        `sys.setrecursionlimit(max(sys.getrecursionlimit(), ${1000 + 20 * depth}))`,
      ].join('\n'),
    );
  writer.assign(tree, target);
  return writer.statements;
}

/** Levels of nested nodes in `tree` (a lone task is 1), callbacks and chord bodies included. */
export function nestingDepth(tree: CanvasNode): number {
  // Iterative: the tree may be nested past what recursion should carry.
  let deepest = 0;
  const stack: Array<[CanvasNode, number]> = [[tree, 1]];
  for (let item = stack.pop(); item !== undefined; item = stack.pop()) {
    const [node, depth] = item;
    if (depth > deepest) deepest = depth;
    const push = (list: CanvasNode[]) => {
      for (const child of list) stack.push([child, depth + 1]);
    };
    push(node.link);
    push(node.link_error);
    if (node.type === 'chord') {
      push(node.header);
      push([node.body]);
    } else if (node.type === 'chain' || node.type === 'group') push(node.tasks);
  }
  return deepest;
}

/** True when `node` holds other nodes (so writing it inline nests brackets). */
function nests(node: CanvasNode): boolean {
  return node.type !== 'task' || node.link.length > 0 || node.link_error.length > 0;
}

class CanvasWriter {
  readonly statements: string[] = [];
  private counter = 0;

  constructor(
    private readonly fn: ReadonlyMap<string, string>,
    private readonly taken: ReadonlySet<string>,
  ) {}

  /** Appends `name = <node>` after the statements of its hoisted parts; returns the name. */
  assign(node: CanvasNode, name?: string): string {
    const text = this.expr(node, '', 0);
    const variable = name ?? this.freshName();
    this.statements.push(`${variable} = ${text}`);
    return variable;
  }

  private freshName(): string {
    let name: string;
    do name = `s${++this.counter}`;
    while (this.taken.has(name));
    return name;
  }

  private list(nodes: CanvasNode[], indent: string, depth: number): string {
    return nodes.map((n) => `${indent}${this.expr(n, indent, depth)},`).join('\n');
  }

  /** `node` as an expression whose continuation lines start with `indent`, `depth` levels down. */
  private expr(node: CanvasNode, indent: string, depth: number): string {
    if (depth > MAX_INLINE_DEPTH && nests(node)) return this.assign(node);
    const inner = `${indent}    `;
    const opts: Array<[string, string]> = [];
    for (const [k, v] of Object.entries(node.options ?? {}))
      if (v !== undefined) opts.push([toCeleryOptionKey(k), pyLiteral(v as Json)]);
    if (node.type === 'task') {
      if (node.id !== undefined) opts.push(['task_id', pyLiteral(node.id)]);
      if (node.sim !== undefined) opts.push(['chordflow_sim', pyLiteral(node.sim as unknown as Json)]);
    }
    if (node.link.length > 0) opts.push(['link', `[\n${this.list(node.link, inner, depth + 1)}\n${indent}]`]);
    if (node.link_error.length > 0)
      opts.push(['link_error', `[\n${this.list(node.link_error, inner, depth + 1)}\n${indent}]`]);
    const set = opts.length > 0 ? `.set(${kwargsCall(opts).join(', ')})` : '';
    switch (node.type) {
      case 'task': {
        const mapped = this.mapExpr(node);
        if (mapped !== null) return `${mapped}${set}`;
        const args = node.args.map(pyLiteral);
        const kw = kwargsCall(Object.entries(node.kwargs).map(([k, v]) => [k, pyLiteral(v)]));
        return `${this.fn.get(node.task)}.${node.immutable ? 'si' : 's'}(${[...args, ...kw].join(', ')})${set}`;
      }
      case 'chain':
        return node.tasks.length === 0
          ? `chain(app=app)${set}`
          : `chain(\n${this.list(node.tasks, inner, depth + 1)}\n${inner}app=app,\n${indent})${set}`;
      case 'group':
        return node.tasks.length === 0
          ? `group([], app=app)${set}`
          : `group([\n${this.list(node.tasks, inner, depth + 1)}\n${indent}], app=app)${set}`;
      case 'chord':
        return `chord([\n${this.list(node.header, inner, depth + 1)}\n${indent}], ${this.expr(node.body, indent, depth + 1)}, app=app)${set}`;
    }
  }

  /** `xmap(add.s(), [...])`, `xstarmap(...)`, `chunks(add.s(), [...], n)` for Celery's map tasks, else null. */
  private mapExpr(node: TaskNode): string | null {
    const sugar = sugarMapNode(node);
    if (sugar === null) return null;
    const inner = sugar.body.task as {
      task: string;
      args?: Json[];
      kwargs?: Record<string, Json>;
      immutable?: boolean;
    };
    const args = (inner.args ?? []).map(pyLiteral);
    const kw = kwargsCall(Object.entries(inner.kwargs ?? {}).map(([k, v]) => [k, pyLiteral(v)]));
    const sig = `${this.fn.get(inner.task)}.${inner.immutable ? 'si' : 's'}(${[...args, ...kw].join(', ')})`;
    const items = pyLiteral(sugar.body.items as Json);
    if (sugar.kind === 'chunks')
      return `chunks(${sig}, ${items}, ${pyLiteral(sugar.body.n as Json)}, app=app)`;
    return `${sugar.kind}(${sig}, ${items}, app=app)`;
  }
}
