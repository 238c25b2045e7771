/**
 * Director's query parameters for `GET /api/workflows`, parsed the way Flask parses them: `page` and
 * `per_page` fall back to their defaults when they are not integers (`type=int`), a page below 1 (or a
 * page size below 1) is a 404 like Flask-SQLAlchemy's `paginate`, and `with_payload` is Python's
 * `strtobool` (y/yes/t/true/on/1, n/no/f/false/off/0, any case; anything else means true).
 */
import { HttpError } from '../respond';

/** Flask's text for `abort(404)`: what director answers for a page past the end. */
export const NOT_FOUND_PAGE =
  'The requested URL was not found on the server. If you entered the URL manually please check your spelling and try again.';

function flaskInt(raw: string | null): number | undefined {
  if (raw === null || !/^\s*[-+]?\d+\s*$/.test(raw)) return undefined;
  return Number.parseInt(raw, 10);
}

/** `page` and `per_page` (default from config, capped at `max`). */
export function pagingOf(
  url: URL,
  limits: { default: number; max: number },
): { page: number; perPage: number } {
  const page = flaskInt(url.searchParams.get('page')) ?? 1;
  const perPage = Math.min(flaskInt(url.searchParams.get('per_page')) ?? limits.default, limits.max);
  if (page < 1 || perPage < 1) throw new HttpError(404, NOT_FOUND_PAGE);
  return { page, perPage };
}

const FALSE = new Set(['n', 'no', 'f', 'false', 'off', '0']);

/** Director's `with_payload`: false only for strtobool's false words; absent or unknown → true. */
export function withPayloadOf(raw: string | null): boolean {
  return raw === null || !FALSE.has(raw.trim().toLowerCase());
}
