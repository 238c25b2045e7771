/**
 * JSON Schema checks with director's wording: director validates request bodies and payloads with
 * Python's `jsonschema` and returns its messages (`'name' is a required property`, `'foo' is not of type
 * 'number'`, `Additional properties are not allowed ('foo' was unexpected)`). We validate with ajv and
 * write the same sentences.
 */
import AjvModule, { type ErrorObject, type ValidateFunction } from 'ajv';
import type { Json } from '../../../lib/canvas/model';
import { pyRepr } from '../../../lib/engine/python';

// ajv is CommonJS: under Node ESM the class is the module's `default`.
const Ajv = ((AjvModule as unknown as { default?: typeof AjvModule }).default ??
  AjvModule) as typeof AjvModule;
const ajv = new Ajv({ allErrors: true, strict: false, validateSchema: true });
const compiled = new Map<string, ValidateFunction>();

function at(data: unknown, pointer: string): Json | undefined {
  let cur: unknown = data;
  for (const raw of pointer.split('/').slice(1)) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[key];
  }
  return cur as Json | undefined;
}

function pyList(values: unknown): string {
  return `[${(Array.isArray(values) ? values : [values]).map((v) => pyRepr(v as Json)).join(', ')}]`;
}

/** One ajv error as Python jsonschema words it. */
function message(e: ErrorObject, data: unknown): string {
  const value = at(data, e.instancePath);
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'required':
      return `${pyRepr(String(p.missingProperty))} is a required property`;
    case 'type': {
      const types = Array.isArray(p.type) ? p.type : String(p.type).split(',');
      return `${pyRepr(value)} is not of type ${types.map((t) => pyRepr(String(t))).join(', ')}`;
    }
    case 'additionalProperties':
      return `Additional properties are not allowed (${pyRepr(String(p.additionalProperty))} was unexpected)`;
    case 'enum':
      return `${pyRepr(value)} is not one of ${pyList(p.allowedValues)}`;
    case 'const':
      return `${pyRepr(p.allowedValue as Json)} was expected`;
    case 'minimum':
      return `${pyRepr(value)} is less than the minimum of ${pyRepr(p.limit as Json)}`;
    case 'maximum':
      return `${pyRepr(value)} is greater than the maximum of ${pyRepr(p.limit as Json)}`;
    case 'exclusiveMinimum':
      return `${pyRepr(value)} is less than or equal to the minimum of ${pyRepr(p.limit as Json)}`;
    case 'exclusiveMaximum':
      return `${pyRepr(value)} is greater than or equal to the maximum of ${pyRepr(p.limit as Json)}`;
    case 'minLength':
    case 'minItems':
    case 'minProperties':
      return `${pyRepr(value)} is too short`;
    case 'maxLength':
    case 'maxItems':
    case 'maxProperties':
      return `${pyRepr(value)} is too long`;
    case 'pattern':
      return `${pyRepr(value)} does not match ${pyRepr(String(p.pattern))}`;
    default:
      return `${e.instancePath || 'payload'} ${e.message ?? 'is not valid'}`;
  }
}

/** Compiles (and caches) a schema; throws a sentence when the schema itself is not valid. */
export function compileSchema(schema: Json): ValidateFunction {
  const key = JSON.stringify(schema);
  let fn = compiled.get(key);
  if (!fn) {
    try {
      fn = ajv.compile(schema as object);
    } catch (err) {
      throw new Error(`The JSON Schema is not valid: ${err instanceof Error ? err.message : String(err)}`);
    }
    compiled.set(key, fn);
  }
  return fn;
}

/** Every way `data` breaks `schema`, in director's words (empty when valid). */
export function schemaErrors(schema: Json, data: unknown): string[] {
  const fn = compileSchema(schema);
  if (fn(data)) return [];
  // allErrors: a hostile payload may break the schema 100,000 times; the first 100 and a count.
  const errors = fn.errors ?? [];
  const listed = errors.slice(0, 100).map((e) => message(e, data));
  if (errors.length > 100) listed.push(`… and ${errors.length - 100} more errors.`);
  return listed;
}

/** The body director's `POST /api/workflows` accepts. */
export const DIRECTOR_WORKFLOW_BODY: Json = {
  type: 'object',
  required: ['project', 'name', 'payload'],
  additionalProperties: false,
  properties: {
    project: { type: 'string' },
    name: { type: 'string' },
    payload: { type: 'object' },
    comment: { type: 'string' },
  },
};
