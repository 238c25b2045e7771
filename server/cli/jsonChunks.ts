/**
 * `JSON.stringify(value, null, 2)` of an object, written in pieces: the elements of its array
 * properties are stringified one at a time, so a 1,000,000-task run report is never one string (V8
 * caps strings at about 512 MiB). The concatenated pieces equal `JSON.stringify(value, null, 2)`.
 */
const BATCH = 2000;

function indentTail(json: string, pad: string): string {
  // JSON text has no raw newline inside strings: every newline is a line of the layout.
  return json.includes('\n') ? json.split('\n').join(`\n${pad}`) : json;
}

/** Calls `write` with consecutive pieces of `JSON.stringify(value, null, 2)`. */
export function writeJsonPretty(value: Record<string, unknown>, write: (chunk: string) => void): void {
  const entries = Object.entries(value).filter(
    ([, v]) => v !== undefined && typeof v !== 'function' && typeof v !== 'symbol',
  );
  if (entries.length === 0) {
    write('{}');
    return;
  }
  write('{\n');
  entries.forEach(([key, v], i) => {
    const sep = i < entries.length - 1 ? ',\n' : '\n';
    if (Array.isArray(v) && v.length > 0) {
      write(`  ${JSON.stringify(key)}: [\n`);
      let buf: string[] = [];
      for (let j = 0; j < v.length; j++) {
        const item = v[j];
        // As JSON.stringify does: an array hole, undefined or function element is written as null.
        const json =
          item === undefined || typeof item === 'function' || typeof item === 'symbol'
            ? 'null'
            : JSON.stringify(item, null, 2);
        buf.push(`    ${indentTail(json, '    ')}${j < v.length - 1 ? ',\n' : '\n'}`);
        if (buf.length >= BATCH) {
          write(buf.join(''));
          buf = [];
        }
      }
      write(`${buf.join('')}  ]${sep}`);
    } else {
      write(`  ${JSON.stringify(key)}: ${indentTail(JSON.stringify(v, null, 2), '  ')}${sep}`);
    }
  });
  write('}');
}
