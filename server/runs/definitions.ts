/**
 * Saved workflow definitions (celery-director's `project.name` workflows), stored in Redis. A definition
 * is a Canvas JSON node; running it passes the payload into the kwargs of every task that takes a
 * `payload` parameter (director's convention). `demo.PIPELINE`, the seed tutorial, is built in.
 */
import type { Redis } from 'ioredis';
import type { TaskCatalogue } from '../../lib/canvas/catalogue';
import type { Json } from '../../lib/canvas/model';
import { putOwn } from '../../lib/canvas/ownKeys';
import type { Keys } from './keys';

export interface Definition {
  project: string;
  name: string;
  fullname: string;
  description?: string;
  /** Canvas JSON (SPEC 2.1) node or file. */
  canvas: Json;
  builtin?: boolean;
}

export const TUTORIAL_PIPELINE: Json = {
  chain: [
    { task: 'TASK_A', args: [null] },
    { group: [{ task: 'TASK_B' }, { task: 'TASK_C' }] },
    { task: 'TASK_D' },
  ],
};

export const BUILTIN_DEFINITIONS: Definition[] = [
  {
    project: 'demo',
    name: 'PIPELINE',
    fullname: 'demo.PIPELINE',
    description: 'The seed tutorial: TASK_A → (TASK_B | TASK_C) → TASK_D; payload {raw, scenario}.',
    canvas: TUTORIAL_PIPELINE,
    builtin: true,
  },
];

const NAME_PART = /^[A-Za-z0-9_-]{1,64}$/;

export function isValidNamePart(s: unknown): s is string {
  return typeof s === 'string' && NAME_PART.test(s);
}

function isObject(v: unknown): v is Record<string, Json> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Copies a Canvas JSON value, adding `payload` to the kwargs of every task whose catalogue entry takes it. */
export function injectPayload(node: Json, payload: Json, catalogue: TaskCatalogue): Json {
  if (Array.isArray(node)) return node.map((n) => injectPayload(n, payload, catalogue));
  if (!isObject(node)) return node;
  const out: Record<string, Json> = {};
  for (const [k, v] of Object.entries(node))
    putOwn(out, k, k === 'kwargs' || k === 'args' ? v : injectPayload(v, payload, catalogue));
  if (typeof node.task === 'string') {
    const entry = catalogue.get(node.task);
    if (entry?.params.some((p) => p.name === 'payload')) {
      const kwargs = isObject(node.kwargs) ? node.kwargs : {};
      out.kwargs = { ...kwargs, payload };
    }
  }
  return out;
}

export class DefinitionStore {
  constructor(
    private readonly redis: Redis,
    private readonly keys: Keys,
  ) {}

  async list(): Promise<Definition[]> {
    const saved = Object.values(await this.redis.hgetall(this.keys.definitions)).map(
      (s) => JSON.parse(s) as Definition,
    );
    const names = new Set(saved.map((d) => d.fullname));
    return [...BUILTIN_DEFINITIONS.filter((d) => !names.has(d.fullname)), ...saved].sort((a, b) =>
      a.fullname.localeCompare(b.fullname),
    );
  }

  async get(fullname: string): Promise<Definition | undefined> {
    const raw = await this.redis.hget(this.keys.definitions, fullname);
    if (raw) return JSON.parse(raw) as Definition;
    return BUILTIN_DEFINITIONS.find((d) => d.fullname === fullname);
  }

  async save(def: Definition): Promise<void> {
    await this.redis.hset(this.keys.definitions, def.fullname, JSON.stringify(def));
  }
}
