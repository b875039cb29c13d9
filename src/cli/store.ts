/**
 * `grantbot store copy --from <sqlite data dir> --to <postgres url>`: moving up from one machine
 * to PostgreSQL (adapters/store-copy/copy-store.ts does the copy). GRANTBOT_KEY_ENCRYPTION_KEY
 * must be set (the key every instance will run with): the signing keys are stored encrypted
 * under it. Prints what it copied, table by table; exit 0 when copied, 1 when refused or failed
 * (nothing is written then).
 */
import { resolve } from "node:path";
import type { Command } from "./io.ts";
import { location, messageOf, redact } from "./database-url.ts";
import { copyStore } from "../adapters/store-copy/copy-store.ts";
import { databaseUrl, decodeKeyEncryptionKey } from "../config/database-fields.ts";

const USAGE = "usage: grantbot store copy --from <sqlite data dir> --to <postgres url>   (with GRANTBOT_KEY_ENCRYPTION_KEY set)\n";

function flagValue(args: readonly string[], flag: string): string | undefined {
  const i = args.findIndex((a) => a === flag || a.startsWith(`${flag}=`));
  if (i < 0) return undefined;
  return args[i] === flag ? args[i + 1] : args[i]!.slice(flag.length + 1);
}

export const storeCommand: Command = async (args, io) => {
  const from = flagValue(args, "--from");
  const to = flagValue(args, "--to");
  const rest = args.filter((a, i) => !/^--(from|to)(=|$)/.test(a) && !(args[i - 1] === "--from" || args[i - 1] === "--to"));
  if (rest[0] !== "copy" || rest.length > 1 || !from || !to) {
    const problem = rest[0] !== "copy" || rest.length > 1 ? `expected "copy", got "${rest.join(" ")}"` : `missing ${!from ? "--from" : "--to"}`;
    io.stderr(`grantbot store: ${problem}\n${USAGE}`);
    return 1;
  }
  const url = databaseUrl().safeParse(to);
  if (!url.success) {
    io.stderr(`grantbot store copy: --to: ${url.error.issues[0]?.message ?? "invalid"}\n`);
    return 1;
  }
  const rawKey = io.env.GRANTBOT_KEY_ENCRYPTION_KEY?.trim();
  const key = rawKey ? decodeKeyEncryptionKey(rawKey) : null;
  if (!key?.ok) {
    io.stderr(`grantbot store copy: GRANTBOT_KEY_ENCRYPTION_KEY ${key ? key.problem : "is not set: the signing keys are stored encrypted under it (the key the instances will run with)"}\n`);
    return 1;
  }
  const dataDir = resolve(io.cwd, from);
  const where = `PostgreSQL database ${location(to)}`;
  try {
    const report = await copyStore({ from: dataDir, to: url.data.reveal(), keyEncryptionKey: key.bytes });
    io.stdout(`copied ${dataDir} to ${where}:\n`);
    for (const { table, rows } of report.tables) io.stdout(`  ${table.padEnd(18)} ${rows}\n`);
    if (report.jobsRequeued > 0) io.stdout(`${report.jobsRequeued} job(s) running at the stop were queued again\n`);
    io.stdout(`audit log: ${report.audit.rows} rows, head seq ${report.audit.headSeq} hash ${report.audit.headHash} (verified on PostgreSQL)\n`);
    io.stdout(`signing keys: ${report.keys.map((k) => `${k.role} ${k.kid}`).join(", ") || "none (the first instance creates one)"}\n`);
    io.stdout("Start grantbot with GRANTBOT_DATABASE_URL and the same GRANTBOT_KEY_ENCRYPTION_KEY; keep the data directory as a backup and do not start `serve` on it again.\n");
    return 0;
  } catch (error) {
    io.stderr(`grantbot store copy: ${redact(messageOf(error), to)}\n`);
    return 1;
  }
};
