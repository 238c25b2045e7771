/**
 * Readable JSON: like `JSON.stringify(value, null, 2)`, but any array or object that fits on its line
 * (within `width` columns) is written on one line, so `"args": [1, 2]` does not take four lines.
 */
export function formatJson(value: unknown, width = 100): string {
  return `${render(value, 0, 0, width)}\n`;
}

/** One-line form: `[1, 2]`, `{"a": 1}`. */
function compact(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((v) => compact(v === undefined ? null : v)).join(', ')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}: ${compact(v)}`).join(', ')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** `indent` = indentation of the line; `used` = columns already taken on it before the value. */
function render(value: unknown, indent: number, used: number, width: number): string {
  const oneLine = compact(value);
  if (value === null || typeof value !== 'object' || used + oneLine.length <= width) return oneLine;
  const pad = ' '.repeat(indent + 2);
  const end = ' '.repeat(indent);
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    const items = value.map(
      (v) => `${pad}${render(v === undefined ? null : v, indent + 2, indent + 2, width)}`,
    );
    return `[\n${items.join(',\n')}\n${end}]`;
  }
  const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
  if (entries.length === 0) return '{}';
  const lines = entries.map(([k, v]) => {
    const key = `${JSON.stringify(k)}: `;
    return `${pad}${key}${render(v, indent + 2, indent + 2 + key.length, width)}`;
  });
  return `{\n${lines.join(',\n')}\n${end}}`;
}
