#!/usr/bin/env node
// Entry point of the `chordflow` CLI. The sources are TypeScript; tsx compiles them on the fly.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../server/cli/main.ts');
const [command] = process.argv.slice(2);
const code = await main(process.argv.slice(2));
if (typeof code === 'number') process.exitCode = code;
// Long-running commands have closed everything they own by now; a library handle (Next's file
// watchers, a keep-alive socket) must not keep a stopped server alive after SIGTERM.
if (command === 'serve' || command === 'worker') process.exit(process.exitCode ?? 0);
