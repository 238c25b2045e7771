/** Output sinks of the CLI, injectable so commands are testable without spawning processes. */
export interface CliIO {
  out(text: string): void;
  err(text: string): void;
  readFile(path: string): Promise<string>;
}

export const defaultIO: CliIO = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
  readFile: async (path) => {
    const { readFile } = await import('node:fs/promises');
    return readFile(path, 'utf8');
  },
};
