import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { canvasFileFromJson } from '@/lib/canvas/canvasJson';
import { normalizeCanvas } from '@/lib/canvas/normalize';
import type { CliIO } from '../io';
import { main } from '../main';

/** A CliIO over in-memory files that records what is printed. */
function fakeIO(files: Record<string, string>): CliIO & { stdout: string; stderr: string } {
  const io = {
    stdout: '',
    stderr: '',
    out(text: string) {
      io.stdout += text;
    },
    err(text: string) {
      io.stderr += text;
    },
    async readFile(path: string) {
      const text = files[path];
      if (text === undefined) throw Object.assign(new Error(`ENOENT: ${path}`), { code: 'ENOENT' });
      return text;
    },
  };
  return io;
}

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const read = (name: string) => readFileSync(`${ROOT}examples/${name}`, 'utf8');
const EXAMPLES = ['tutorial.json', 'nested-chord.json', 'errbacks.json'];
const FORMATS = ['native', 'canvas-json', 'celery-json', 'director-yaml', 'python'] as const;

async function convert(files: Record<string, string>, input: string, to: string) {
  const io = fakeIO(files);
  const code = await main(['convert', input, '--to', to], io);
  return { code, out: io.stdout, err: io.stderr };
}

function normalizedOf(canvasJsonText: string) {
  const r = canvasFileFromJson(JSON.parse(canvasJsonText));
  if (!r.ok) throw new Error(JSON.stringify(r.problems));
  return { ...r.value, canvas: normalizeCanvas(r.value.canvas) };
}

describe('chordflow convert', () => {
  it('converts the tutorial through every format and back with nothing lost', async () => {
    const source = { 'tutorial.json': read('tutorial.json') };
    const original = normalizedOf(read('tutorial.json'));
    for (const to of FORMATS) {
      const there = await convert(source, 'tutorial.json', to);
      expect({ to, code: there.code, err: there.err }).toEqual({ to, code: 0, err: '' });
      if (to === 'python') continue;
      const back = await convert({ f: there.out }, 'f', 'canvas-json');
      expect(back.code).toBe(0);
      expect(normalizedOf(back.out)).toEqual(original);
    }
  });

  it('converts the other examples through every JSON format and back', async () => {
    for (const name of EXAMPLES) {
      const original = normalizedOf(read(name));
      for (const to of ['native', 'celery-json', 'canvas-json'] as const) {
        const there = await convert({ [name]: read(name) }, name, to);
        expect(there.code).toBe(0);
        const back = await convert({ f: there.out }, 'f', 'canvas-json');
        expect(normalizedOf(back.out)).toEqual(original);
      }
    }
  });

  it('says why a canvas cannot be written as director YAML', async () => {
    const r = await convert({ 'n.json': read('nested-chord.json') }, 'n.json', 'director-yaml');
    expect(r.code).toBe(1);
    expect(r.err).toContain('this canvas cannot be written as director-yaml:');
    expect(r.err).toMatch(/Director groups can only hold plain task names/);
  });

  it('rejects unknown formats and missing --to with sentences', async () => {
    expect((await convert({ a: '{"task": "add"}' }, 'a', 'xml')).err).toContain(
      'unknown format "xml"; use one of native',
    );
    const io = fakeIO({ a: '{"task": "add"}' });
    expect(await main(['convert', 'a'], io)).toBe(2);
    expect(io.stderr).toContain('say which format to write with --to');
  });

  it('runs for real: node bin/chordflow.js with a file and with stdin', () => {
    const viaFile = spawnSync(
      'node',
      ['bin/chordflow.js', 'convert', 'examples/tutorial.json', '--to', 'celery-json'],
      {
        cwd: ROOT,
        encoding: 'utf8',
      },
    );
    expect(viaFile.status).toBe(0);
    const celery = JSON.parse(viaFile.stdout);
    expect(celery.subtask_type).toBe('chain');
    expect(celery.kwargs.tasks[1].subtask_type).toBe('chord');
    const viaStdin = spawnSync('node', ['bin/chordflow.js', 'validate', '-'], {
      cwd: ROOT,
      encoding: 'utf8',
      input: viaFile.stdout,
    });
    expect(viaStdin.status).toBe(0);
    expect(viaStdin.stdout).toBe('stdin: valid (celery-json, 4 task signatures)\n');
    const broken = spawnSync('node', ['bin/chordflow.js', 'validate', '-'], {
      cwd: ROOT,
      encoding: 'utf8',
      input: '{"chain": [',
    });
    expect(broken.status).toBe(1);
    expect(broken.stderr).toContain('The file is not valid JSON');
    expect(broken.stderr).not.toMatch(/\n\s+at /);
  });
});
