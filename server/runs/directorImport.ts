/**
 * Importing a celery-director `workflows.yml` as definitions — every workflow of the file, each checked
 * as director would run it (tasks and hooks known, queue and periodic well-formed, schema loadable).
 * At start-up `CHORDFLOW_WORKFLOWS=path/workflows.yml` is imported with its schemas from the
 * `schemas/` folder next to it (director's `DIRECTOR_HOME/schemas/<name>.json`); `POST /api/definitions`
 * takes `{yaml, schemas?}` with the schema objects by name.
 */
import { readFileSync } from 'node:fs';
import { dirname, join, resolve, sep } from 'node:path';
import { toCanvasJson } from '../../lib/canvas/canvasJson';
import type { TaskCatalogue } from '../../lib/canvas/catalogue';
import { readDirectorWorkflows } from '../../lib/canvas/directorWorkflows';
import { parseYamlText } from '../../lib/canvas/directorYaml';
import type { Json } from '../../lib/canvas/model';
import { compileSchema } from '../http/api/jsonSchema';
import type { Definition, DirectorSettings } from './definitions';

/** Finds a schema by its workflows.yml name (`order`, `foo/bar`): the object, or a sentence why not. */
export type SchemaLoader = (name: string) => Json | string;

export interface DirectorImportResult {
  definitions: Definition[];
  /** Sentences with the workflow name; workflows with errors are not imported. */
  problems: string[];
}

export function definitionsFromYaml(
  text: string,
  catalogue: TaskCatalogue,
  loadSchema: SchemaLoader,
): DirectorImportResult {
  const parsed = parseYamlText(text);
  if (!parsed.ok) return { definitions: [], problems: parsed.problems.map((p) => p.message) };
  const { workflows, problems } = readDirectorWorkflows(parsed.value, catalogue);
  const out: string[] = problems
    .filter((p) => p.severity === 'error')
    .map((p) => (p.path ? `${p.path}: ${p.message}` : p.message));
  const definitions: Definition[] = [];
  for (const wf of workflows) {
    const settings: DirectorSettings = { tasks: wf.raw.tasks ?? [] };
    if (wf.meta.hooks) settings.hooks = wf.meta.hooks;
    if (wf.raw.queue !== undefined) settings.queue = wf.raw.queue;
    if (wf.raw.periodic !== undefined) settings.periodic = wf.raw.periodic;
    if (wf.raw.retention !== undefined) settings.retention = wf.raw.retention;
    if (wf.meta.groups) settings.groups = wf.meta.groups;
    if (typeof wf.raw.schema === 'string') {
      const schema = loadSchema(wf.raw.schema);
      if (typeof schema === 'string') {
        out.push(`${wf.fullname}.schema: ${schema}`);
        continue;
      }
      try {
        compileSchema(schema);
      } catch (err) {
        out.push(`${wf.fullname}.schema: ${err instanceof Error ? err.message : String(err)}.`);
        continue;
      }
      settings.schema = schema;
    }
    definitions.push({
      project: wf.project,
      name: wf.name,
      fullname: wf.fullname,
      canvas: toCanvasJson(wf.file),
      director: settings,
    });
  }
  return { definitions, problems: out };
}

/** Schemas from `<dir>/schemas/<name>.json`, never outside that folder. */
export function schemaFolderLoader(workflowsFile: string): SchemaLoader {
  const root = resolve(dirname(workflowsFile), 'schemas');
  return (name) => {
    const path = resolve(root, `${name}.json`);
    if (!path.startsWith(root + sep)) return `The schema name "${name}" leaves the schemas folder.`;
    try {
      return JSON.parse(readFileSync(path, 'utf8')) as Json;
    } catch (err) {
      const code = (err as { code?: string }).code;
      return code === 'ENOENT'
        ? `No schema file ${join('schemas', `${name}.json`)} next to the workflows file.`
        : `The schema file for "${name}" is not valid JSON.`;
    }
  };
}

/** Schemas given by name in a request (`{"schemas": {"order": {...}}}`). */
export function schemaMapLoader(schemas: Record<string, Json> | undefined): SchemaLoader {
  return (name) =>
    schemas && Object.hasOwn(schemas, name)
      ? (schemas[name] as Json)
      : `The workflow uses schema "${name}": send it in "schemas" as {"${name}": {...JSON Schema...}}.`;
}
