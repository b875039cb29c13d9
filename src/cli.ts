/**
 * `grantbot <command>`: thin dispatch to the command modules in src/cli/.
 */
export interface CliIO {
  stdout(text: string): void;
  stderr(text: string): void;
  cwd: string;
  env: NodeJS.ProcessEnv;
}

export type Command = (args: string[], io: CliIO) => Promise<number>;

const USAGE = `usage: grantbot <command>

commands:
  serve                 run the HTTP server, scheduler and workers
  demo                  run the whole lifecycle locally against stand-ins
  validate [dir]        check the grants directory (default: grants)
  codeowners            print the CODEOWNERS block derived from the catalog
  reconcile [--fix] [--json]  compare SCIM groups with live grants
  grants [--active]     list grants
  revoke <grant-id>     revoke a live grant now
  audit verify          check the audit log's hash chain
  audit export          write the audit log as JSON Lines
`;

const COMMANDS: Record<string, () => Promise<Command>> = {
  serve: async () => (await import("./cli/serve.ts")).serveCommand,
  demo: async () => (await import("./cli/demo.ts")).demoCommand,
  validate: async () => (await import("./cli/validate.ts")).validateCommand,
  codeowners: async () => (await import("./cli/codeowners.ts")).codeownersCommand,
  grants: async () => (await import("./cli/grants.ts")).grantsCommand,
  revoke: async () => (await import("./cli/revoke.ts")).revokeCommand,
  audit: async () => (await import("./cli/audit.ts")).auditCommand,
  reconcile: async () => (await import("./cli/reconcile.ts")).reconcileCommand,
};

export async function main(argv: string[], io: CliIO = processIO()): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === "help" || name === "--help" || name === "-h") {
    io.stdout(USAGE);
    return name ? 0 : 1;
  }
  const load = COMMANDS[name];
  if (!load) {
    io.stderr(`grantbot: unknown command "${name}"\n\n${USAGE}`);
    return 1;
  }
  const command = await load();
  return command(rest, io);
}

export function processIO(): CliIO {
  return {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    cwd: process.cwd(),
    env: process.env,
  };
}
