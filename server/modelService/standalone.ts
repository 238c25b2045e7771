/** Standalone mock model service: `npx tsx server/modelService/standalone.ts [port]` (default 9000). */
import { startModelService } from './service';

const port = Number(process.argv[2] ?? process.env.MODEL_SERVICE_PORT ?? 9000);
const service = await startModelService({ port, host: process.env.MODEL_SERVICE_HOST ?? '127.0.0.1' });
process.stderr.write(`mock model service on ${service.url}\n`);
const stop = () => void service.close().then(() => process.exit(0));
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
