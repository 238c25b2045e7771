/**
 * Playwright global setup. Redis for live-run specs is started by the web server itself when
 * REDIS_URL is not reachable (see server/redis/ensureRedis.ts); nothing to prepare for the editor specs.
 */
export default async function globalSetup(): Promise<void> {}
