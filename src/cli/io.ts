/**
 * What every command module gets: where to write and the process's environment. Kept apart from
 * src/cli.ts (which dispatches to the command modules) so the modules need not import it back.
 */
export interface CliIO {
  stdout(text: string): void;
  stderr(text: string): void;
  cwd: string;
  env: NodeJS.ProcessEnv;
}

export type Command = (args: string[], io: CliIO) => Promise<number>;
