/**
 * Example task: an HTTP call with retries. `http_get_json(url)` fetches JSON; a 5xx reply or a network
 * error is retried with exponential backoff (Celery's autoretry_for + retry_backoff), a 4xx fails at once
 * (retrying cannot fix a bad request). The abort signal stops the request when the run is canceled or the
 * soft time limit fires.
 *
 * Idempotent: a GET can run twice (delivery is at-least-once) without harm.
 */
import type { UserTaskModule } from '../../server/tasks/registry';

/** Raised for replies worth retrying (server errors, timeouts, connection failures). */
class RequestException extends Error {
  override name = 'RequestException';
}

/** Raised for replies that will not get better by retrying. */
class HTTPClientError extends Error {
  override name = 'HTTPClientError';
}

const task: UserTaskModule = {
  name: 'http_get_json',
  description: 'GET a URL and return its JSON body; 5xx and network errors are retried with backoff',
  params: ['url', { name: 'timeout_s', kind: 'keyword', default: 5 }],
  defaults: {
    queue: 'io',
    autoretry_for: ['RequestException'],
    max_retries: 4,
    retry_backoff: 1,
    retry_backoff_max: 30,
    retry_jitter: true,
    soft_time_limit: 30,
  },
  // The simulator has no network: an attempt is modelled as a 50–400 ms round trip.
  sim: { duration_ms: { dist: 'uniform', min_ms: 50, max_ms: 400 } },
  async run(args, kwargs, ctx) {
    const url = args[0];
    if (typeof url !== 'string' || !/^https?:\/\//.test(url)) {
      throw new HTTPClientError(`http_get_json needs an http(s) URL, got ${JSON.stringify(url)}`);
    }
    const timeout = typeof kwargs.timeout_s === 'number' ? kwargs.timeout_s : 5;
    // Stop on whichever comes first: our own timeout, a cancel, a time limit.
    const signal = AbortSignal.any([ctx.signal, AbortSignal.timeout(timeout * 1000)]);
    let reply: Response;
    try {
      reply = await fetch(url, { signal, headers: { accept: 'application/json' } });
    } catch (err) {
      if (ctx.signal.aborted) throw err; // canceled or time limit: not a retryable failure of ours
      throw new RequestException(`GET ${url} failed: ${err instanceof Error ? err.message : String(err)}`);
    }
    if (reply.status >= 500) throw new RequestException(`${reply.status} Server Error for url: ${url}`);
    if (reply.status >= 400) throw new HTTPClientError(`${reply.status} Client Error for url: ${url}`);
    return (await reply.json()) as never;
  },
};

export default task;
