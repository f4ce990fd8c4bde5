// Where the rack-model subcommands write: the process streams by default, buffers in tests.
export interface CliIo {
  readonly out: { write(text: string): unknown };
  readonly err: { write(text: string): unknown };
}

export const processIo: CliIo = { out: process.stdout, err: process.stderr };
