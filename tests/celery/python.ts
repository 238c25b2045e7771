/** Runs the Python cross-check scripts of this folder under the real Celery at /usr/bin/python3. */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const PYTHON = '/usr/bin/python3';
export const HERE = fileURLToPath(new URL('.', import.meta.url));

/** Runs `script` (in tests/celery) with `input` on stdin and returns its parsed JSON stdout. */
export function runPython(script: string, input: unknown, extraArgs: string[] = []): unknown {
  const result = spawnSync(PYTHON, [`${HERE}${script}`, ...extraArgs], {
    input: typeof input === 'string' ? input : JSON.stringify(input),
    encoding: 'utf8',
    cwd: HERE,
    env: { ...process.env, PYTHONPATH: HERE, PYTHONDONTWRITEBYTECODE: '1' },
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.status !== 0) {
    throw new Error(`${script} failed (${result.status}): ${result.stderr}`);
  }
  return JSON.parse(result.stdout) as unknown;
}

/** `json.dumps(sig)` (parsed) for each Canvas JSON expression, built with real Celery. */
export function celeryBuild(
  cases: unknown[],
  opts: { compat56?: boolean; allowErrorCbOnChordHeader?: boolean } = {},
): unknown[] {
  return runPython('build_canvas.py', {
    compat56: opts.compat56 ?? true,
    allow_error_cb_on_chord_header: opts.allowErrorCbOnChordHeader ?? false,
    cases,
  }) as unknown[];
}
