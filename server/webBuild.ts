/**
 * The first `chordflow serve` on a fresh clone has no production build of the web app. Instead of
 * blocking the whole server on `next build`, the build runs in the background: the API, the workers and
 * Socket.IO are up at once, the terminal shows Next's own progress, and the page answers with a
 * "building" screen that follows it (server/http/buildingPage.ts) until the app is ready.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

export interface WebBuild {
  /** Resolves when the build is there; rejects with the build's last words when it fails. */
  readonly done: Promise<void>;
  /** One line for people: the build's latest step and how long it has run. */
  status(): string;
  /** Stops a build still running (shutdown during the first start). */
  cancel(): void;
}

/** True when `dir` holds a production build of the web app. */
export function hasWebBuild(dir: string): boolean {
  return existsSync(join(dir, '.next', 'BUILD_ID'));
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: strips the ANSI colours of Next's output
const ANSI = /\x1b\[[0-9;]*[A-Za-z]/g;

/** Starts `next build` in `dir`, echoing its output through `echo`; `now` gives epoch ms. */
export function startWebBuild(dir: string, echo: (chunk: string) => void, now = Date.now): WebBuild {
  const started = now();
  let step = 'starting next build';
  let tail: string[] = [];
  const nextBin = join(dir, 'node_modules', 'next', 'dist', 'bin', 'next');
  const child = spawn(process.execPath, [nextBin, 'build'], {
    cwd: dir,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1' },
  });
  const take = (buf: Buffer) => {
    const text = buf.toString();
    echo(text);
    const lines = text
      .replace(ANSI, '')
      .split(/[\r\n]+/)
      .map((l) => l.trim())
      .filter((l) => l !== '');
    if (lines.length === 0) return;
    step = (lines.at(-1) ?? step).slice(0, 200);
    tail = [...tail, ...lines].slice(-12);
  };
  child.stdout?.on('data', take);
  child.stderr?.on('data', take);
  const done = new Promise<void>((resolve, reject) => {
    child.on('error', (err) => reject(new Error(`next build could not start: ${err.message}`)));
    child.on('close', (code, signal) => {
      if (code === 0 && hasWebBuild(dir)) {
        step = 'built';
        resolve();
      } else {
        const why = signal ? `stopped by ${signal}` : `exited with code ${code}`;
        step = `next build failed (${why})`;
        reject(new Error(`next build ${why}:\n${tail.join('\n')}`));
      }
    });
  });
  // A rejection is reported by whoever awaits `done`; never an unhandled one.
  done.catch(() => {});
  return {
    done,
    status: () => `${step} · ${Math.round((now() - started) / 1000)} s`,
    cancel: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    },
  };
}
