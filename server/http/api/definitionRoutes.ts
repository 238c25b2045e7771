/**
 * The definition routes of the director API: `GET /api/definitions` lists saved definitions,
 * `POST /api/definitions` saves one (`{project, name, canvas, description?, payload?}`) or imports every
 * workflow of a workflows.yml (`{yaml, schemas?}`, all or nothing).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Json } from '../../../lib/canvas/model';
import type { ClusterClient } from '../../cluster/client';
import { type DefinitionStore, definitionJson, injectPayload, isValidNamePart } from '../../runs/definitions';
import { definitionsFromYaml, schemaMapLoader } from '../../runs/directorImport';
import { HttpError, isPlainObject, sendJson } from '../respond';

/** One API route: `params` are the pattern's captures. */
export type Handler = (
  req: IncomingMessage,
  res: ServerResponse,
  params: string[],
  url: URL,
) => Promise<void>;

/** What the definition routes need from the API handler (each getter throws the API's 503 when away). */
export interface DefinitionRouteContext {
  cluster(): ClusterClient;
  defs(): DefinitionStore;
  readBody(req: IncomingMessage): Promise<unknown>;
  /** Called after definitions were saved (periodic schedules follow them). */
  onSaved(): Promise<void>;
}

/** The two definition handlers, bound to the API's context. */
export function definitionRoutes(ctx: DefinitionRouteContext): {
  listDefinitions: Handler;
  saveDefinition: Handler;
} {
  const listDefinitions: Handler = async (_req, res) => {
    const list = await ctx.defs().list();
    sendJson(res, 200, list.map(definitionJson));
  };

  /** `{yaml, schemas?}`: every workflow of a workflows.yml becomes a definition (all or nothing). */
  async function importYaml(res: ServerResponse, body: Record<string, unknown>): Promise<void> {
    if (typeof body.yaml !== 'string')
      throw new HttpError(400, '"yaml" must be the text of a workflows.yml.');
    if (body.schemas !== undefined && !isPlainObject(body.schemas))
      throw new HttpError(400, '"schemas" must map schema names to JSON Schema objects.');
    const c = ctx.cluster();
    const { definitions, problems } = definitionsFromYaml(
      body.yaml,
      c.catalogue,
      schemaMapLoader(body.schemas as Record<string, Json> | undefined),
    );
    if (problems.length > 0 || definitions.length === 0) {
      throw new HttpError(400, 'The workflows file cannot be imported', {
        errors: problems.length > 0 ? problems : ['The file declares no workflow.'],
      });
    }
    await ctx.defs().saveAll(definitions);
    await ctx.onSaved();
    sendJson(res, 201, definitions.map(definitionJson));
  }

  const saveDefinition: Handler = async (req, res) => {
    const body = await ctx.readBody(req);
    if (!isPlainObject(body))
      throw new HttpError(
        400,
        'The request body must be a JSON object {project, name, canvas, description?} or {yaml, schemas?}.',
      );
    if (body.yaml !== undefined) return importYaml(res, body);
    if (!isValidNamePart(body.project) || !isValidNamePart(body.name)) {
      throw new HttpError(400, '"project" and "name" are required: 1–64 letters, digits, "_" or "-" each.');
    }
    if (body.description !== undefined && typeof body.description !== 'string') {
      throw new HttpError(400, '"description" must be a string.');
    }
    if (body.canvas === undefined) throw new HttpError(400, 'Missing field "canvas": a Canvas JSON node.');
    if (body.payload !== undefined && !isPlainObject(body.payload))
      throw new HttpError(400, '"payload" (the definition\'s input) must be a JSON object.');
    const c = ctx.cluster();
    // Validate now (with an empty payload) so a broken definition is refused when saved, not when run.
    c.plan(c.parseCanvas(injectPayload(body.canvas as Json, {}, c.catalogue)), 'validate');
    const def = {
      project: body.project,
      name: body.name,
      fullname: `${body.project}.${body.name}`,
      canvas: body.canvas as Json,
      ...(typeof body.description === 'string' ? { description: body.description } : {}),
      ...(body.payload !== undefined ? { payload: body.payload as Json } : {}),
    };
    await ctx.defs().save(def);
    await ctx.onSaved();
    sendJson(res, 201, definitionJson(def));
  };

  return { listDefinitions, saveDefinition };
}
