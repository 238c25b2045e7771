/**
 * Finds where JSON text goes wrong, with line and column, because `JSON.parse` messages do not always
 * carry a position. A small recursive-descent scanner; only called after `JSON.parse` has failed.
 * `parseJsonText` is the JSON reader every format uses.
 */
import { error, fail, ok, type ParseResult } from './problems';

export interface JsonErrorLocation {
  line: number;
  column: number;
  message: string;
}

class Scanner {
  i = 0;
  constructor(private readonly s: string) {}

  fail(what: string): never {
    const found = this.i >= this.s.length ? 'the end of the text' : `"${this.s[this.i]}"`;
    throw new LocatedError(this.i, `expected ${what} but found ${found}`);
  }

  ws(): void {
    while (this.i < this.s.length && ' \t\n\r'.includes(this.s[this.i] as string)) this.i++;
  }

  value(): void {
    this.ws();
    const c = this.s[this.i];
    if (c === '{') this.object();
    else if (c === '[') this.array();
    else if (c === '"') this.string();
    else if (c !== undefined && /[-0-9]/.test(c)) this.number();
    else this.word();
  }

  word(): void {
    for (const word of ['true', 'false', 'null']) {
      if (this.s.startsWith(word, this.i)) {
        this.i += word.length;
        return;
      }
    }
    this.fail('a value (object, list, string, number, true, false or null)');
  }

  object(): void {
    this.i++;
    this.ws();
    if (this.s[this.i] === '}') {
      this.i++;
      return;
    }
    for (;;) {
      this.ws();
      if (this.s[this.i] !== '"') this.fail('a double-quoted property name');
      this.string();
      this.ws();
      if (this.s[this.i] !== ':') this.fail('":"');
      this.i++;
      this.value();
      this.ws();
      if (this.s[this.i] === ',') {
        this.i++;
        continue;
      }
      if (this.s[this.i] === '}') {
        this.i++;
        return;
      }
      this.fail('"," or "}"');
    }
  }

  array(): void {
    this.i++;
    this.ws();
    if (this.s[this.i] === ']') {
      this.i++;
      return;
    }
    for (;;) {
      this.value();
      this.ws();
      if (this.s[this.i] === ',') {
        this.i++;
        continue;
      }
      if (this.s[this.i] === ']') {
        this.i++;
        return;
      }
      this.fail('"," or "]"');
    }
  }

  string(): void {
    this.i++;
    while (this.i < this.s.length) {
      const c = this.s[this.i] as string;
      if (c === '"') {
        this.i++;
        return;
      }
      if (c === '\\') this.i++;
      else if (c === '\n') this.fail('a closing quote before the end of the line');
      this.i++;
    }
    this.fail('a closing quote');
  }

  number(): void {
    const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(this.s.slice(this.i));
    if (!m || m[0] === '' || m[0] === '-') this.fail('a number');
    this.i += m[0].length;
  }

  document(): void {
    this.value();
    this.ws();
    if (this.i < this.s.length) this.fail('the end of the text after the value');
  }
}

class LocatedError extends Error {
  constructor(
    readonly offset: number,
    message: string,
  ) {
    super(message);
  }
}

/** Where `text` stops being valid JSON, or `null` when it is valid. */
export function locateJsonError(text: string): JsonErrorLocation | null {
  try {
    new Scanner(text).document();
    return null;
  } catch (err) {
    if (!(err instanceof LocatedError)) return null;
    const before = text.slice(0, err.offset);
    const line = before.split('\n').length;
    const column = err.offset - before.lastIndexOf('\n');
    return { line, column, message: err.message };
  }
}

/** Reads JSON text, reporting syntax errors with line and column. */
export function parseJsonText(text: string): ParseResult<unknown> {
  try {
    return ok(JSON.parse(text) as unknown);
  } catch (err) {
    const at = locateJsonError(text);
    const detail = at
      ? `${at.message} at line ${at.line}, column ${at.column}.`
      : `${err instanceof Error ? err.message : String(err)}.`;
    return fail([error('', `The file is not valid JSON: ${detail}`)]);
  }
}
