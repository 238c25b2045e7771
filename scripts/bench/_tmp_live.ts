import { chromium } from 'playwright-core';
import { chordJson, watchRunPage } from './editorLive';
const b = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] });
const n = Number(process.argv[2] ?? 10000);
const f = await watchRunPage(b, 'http://127.0.0.1:3240', chordJson(n));
const s = [...f.frames].sort((a, b) => a - b);
console.log(JSON.stringify({ n, run_ms: f.run_ms, events: f.events, frames: f.frames.length, mean: f.frames.reduce((a, b) => a + b, 0) / f.frames.length, p50: s[Math.floor(s.length / 2)], p95: s[Math.floor(s.length * 0.95)], longest: f.longest }));
await b.close();
