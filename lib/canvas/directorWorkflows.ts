/**
 * Every workflow of a celery-director `workflows.yml`, read and checked the way director would run it
 * (`directorRunFile`: kwargs, queues, hooks), so `chordflow validate` and the server's import report
 * every problem of every workflow — unknown tasks (hooks included), bad queues, bad periodic settings.
 */
import type { TaskCatalogue } from './catalogue';
import { type PeriodicSpec, parsePeriodic } from './directorPeriodic';
import { directorRunFile, queueProblems } from './directorRun';
import { canvasFileFromDirector } from './directorYaml';
import type { CanvasFile, JsonObject } from './model';
import type { DirectorMeta } from './nativeDocument';
import { error, type Problem } from './problems';
import { validateCanvas } from './validate';

export interface DirectorWorkflow {
  fullname: string;
  project: string;
  name: string;
  /** The workflow's mapping as written (what director's `/api/definitions` shows). */
  raw: JsonObject;
  /** The canvas as read (no director kwargs yet: `directorRunFile` adds them per run). */
  file: CanvasFile;
  meta: DirectorMeta;
  periodic?: PeriodicSpec;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/**
 * Reads all workflows of a parsed workflows.yml. With a catalogue, each is also validated as director
 * runs it. Problems carry the workflow name in their path; a workflow with errors is left out.
 */
export function readDirectorWorkflows(
  value: unknown,
  catalogue?: TaskCatalogue,
): { workflows: DirectorWorkflow[]; problems: Problem[] } {
  const workflows: DirectorWorkflow[] = [];
  const problems: Problem[] = [];
  if (!isObject(value)) {
    return {
      workflows,
      problems: [error('', 'A workflows.yml must be a mapping of "project.NAME" to workflows.')],
    };
  }
  for (const fullname of Object.keys(value)) {
    const read = canvasFileFromDirector(value, fullname);
    if (!read.ok) {
      problems.push(...read.problems);
      continue;
    }
    problems.push(...(read.warnings ?? []));
    const raw = value[fullname] as JsonObject;
    const own: Problem[] = queueProblems(raw.queue).map((m) => error(`${fullname}.queue`, m));
    let periodic: PeriodicSpec | undefined;
    if (raw.periodic !== undefined) {
      const p = parsePeriodic(fullname, raw.periodic);
      if (typeof p === 'string') own.push(error(`${fullname}.periodic`, p));
      else periodic = p;
    }
    if (raw.schema !== undefined && typeof raw.schema !== 'string') {
      own.push(
        error(`${fullname}.schema`, 'The "schema" must name a JSON Schema file (schemas/<name>.json).'),
      );
    }
    const { file, director } = read.value;
    if (catalogue !== undefined) {
      const run = directorRunFile(file, director, { workflowId: null, payload: {} });
      for (const p of validateCanvas(run, catalogue)) own.push({ ...p, path: `${fullname}: ${p.path}` });
    }
    problems.push(...own);
    if (own.some((p) => p.severity === 'error')) continue;
    const dot = fullname.indexOf('.');
    workflows.push({
      fullname,
      project: fullname.slice(0, dot),
      name: fullname.slice(dot + 1),
      raw,
      file,
      meta: director,
      ...(periodic ? { periodic } : {}),
    });
  }
  return { workflows, problems };
}
