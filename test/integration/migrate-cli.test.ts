/**
 * `grantbot migrate`: PostgreSQL migrations with GRANTBOT_DATABASE_URL (real server), the SQLite
 * database of GRANTBOT_DATA_DIR otherwise; prints what it applied, starts nothing, never prints
 * the database password.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { PG_LATEST_VERSION, PG_MIGRATIONS } from "../../src/adapters/postgres/migrations.ts";
import { MIGRATIONS } from "../../src/adapters/sqlite/migrations.ts";
import { main, type CliIO } from "../../src/cli.ts";
import { describeWithPostgres, freshDatabaseUrl } from "../support/postgres.ts";

/** What `grantbot migrate` prints for each PostgreSQL migration it applies, as a pattern. */
const PG_APPLIED = PG_MIGRATIONS.map((m) => `applied PostgreSQL migration ${m.version} \\(${m.name}\\)\\n`).join("");

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const PASSWORD = "hunter2-Migrate-Secret";
let cwd: string;

function fakeIO(env: Record<string, string> = {}): CliIO & { out: string; err: string } {
  const io = { out: "", err: "", cwd, env, stdout: (t: string) => void (io.out += t), stderr: (t: string) => void (io.err += t) };
  return io;
}

async function migrate(env: Record<string, string>) {
  const io = fakeIO(env);
  const code = await main(["migrate"], io);
  return { code, out: io.out, err: io.err };
}

/** The test server trusts every local connection, so a password in the URL is accepted and ignored. */
function withPassword(url: string): string {
  const u = new URL(url);
  u.password = PASSWORD;
  return u.toString();
}

async function sql(url: string, text: string): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await client.query(text);
  } finally {
    await client.end();
  }
}

beforeEach(() => {
  cwd = mkdtempSync(join(tmpdir(), "grantbot-migrate-"));
});
afterEach(() => rmSync(cwd, { recursive: true, force: true }));

describeWithPostgres("grantbot migrate with GRANTBOT_DATABASE_URL", () => {
  it("applies the PostgreSQL migrations, then finds nothing to do, and never prints the password", async () => {
    const url = withPassword(await freshDatabaseUrl("cli_migrate"));
    const first = await migrate({ GRANTBOT_DATABASE_URL: url });
    expect(first).toMatchObject({ code: 0, err: "" });
    expect(first.out).toMatch(new RegExp(`^${PG_APPLIED}PostgreSQL database 127\\.0\\.0\\.1:\\d+/cli_migrate_[0-9a-f]+ is now at schema version ${PG_LATEST_VERSION}\\n$`));
    const second = await migrate({ GRANTBOT_DATABASE_URL: url });
    expect(second).toMatchObject({ code: 0, err: "" });
    expect(second.out).toMatch(new RegExp(`is up to date at schema version ${PG_LATEST_VERSION}\\n$`));
    expect(second.out).not.toContain("applied");
    for (const r of [first, second]) expect(r.out + r.err).not.toContain(PASSWORD);
    const { rows } = await sql(url, "SELECT version, name FROM schema_migrations");
    expect(rows).toEqual(PG_MIGRATIONS.map(({ version, name }) => ({ version, name })));
    // Nothing but the schema: no instance started, no job or key written.
    expect((await sql(url, "SELECT (SELECT COUNT(*) FROM jobs) + (SELECT COUNT(*) FROM signing_keys) + (SELECT COUNT(*) FROM audit_log) AS n")).rows[0].n).toBe("0");
    expect(existsSync(join(cwd, "data"))).toBe(false);
  });

  it("runs as its own process and exits by itself", async () => {
    const url = withPassword(await freshDatabaseUrl("cli_migrate"));
    const child = spawnSync(process.execPath, [join(ROOT, "bin/grantbot.js"), "migrate"], {
      cwd, encoding: "utf8", timeout: 60_000, env: { PATH: process.env.PATH ?? "", GRANTBOT_DATABASE_URL: url },
    });
    expect(child.status, child.stderr).toBe(0);
    expect(child.stdout).toMatch(new RegExp(`^${PG_APPLIED}`));
    expect(child.stdout + child.stderr).not.toContain(PASSWORD);
  });

  it("refuses a database written by a newer grantbot (exit 1) and says why", async () => {
    const url = withPassword(await freshDatabaseUrl("cli_migrate"));
    expect((await migrate({ GRANTBOT_DATABASE_URL: url })).code).toBe(0);
    await sql(url, `INSERT INTO schema_migrations VALUES (${PG_LATEST_VERSION + 1}, 'from_the_future', 0)`);
    const r = await migrate({ GRANTBOT_DATABASE_URL: url });
    expect(r).toMatchObject({ code: 1, out: "" });
    expect(r.err).toMatch(new RegExp(`^grantbot migrate: PostgreSQL database 127\\.0\\.0\\.1:\\d+/\\S+: the database schema is version ${PG_LATEST_VERSION + 1} but this grantbot only knows versions up to ${PG_LATEST_VERSION}`));
    expect(r.err).not.toContain(PASSWORD);
  });

  it("reports an unreachable server without the password (exit 1)", async () => {
    const url = `postgres://grantbot:${PASSWORD}@127.0.0.1:1/nowhere`;
    const r = await migrate({ GRANTBOT_DATABASE_URL: url });
    expect(r).toMatchObject({ code: 1, out: "" });
    expect(r.err).toMatch(/^grantbot migrate: PostgreSQL database 127\.0\.0\.1:1\/nowhere: .*ECONNREFUSED/);
    expect(r.err).not.toContain(PASSWORD);
  });
});

describe("grantbot migrate", () => {
  it("refuses a GRANTBOT_DATABASE_URL that is not postgres:// without echoing it", async () => {
    const r = await migrate({ GRANTBOT_DATABASE_URL: `mysql://root:${PASSWORD}@db/grantbot` });
    expect(r).toMatchObject({ code: 1, out: "" });
    expect(r.err).toMatch(/^grantbot migrate: GRANTBOT_DATABASE_URL: expected a postgres:\/\/ or postgresql:\/\/ URL/);
    expect(r.err).not.toContain(PASSWORD);
  });

  it("without GRANTBOT_DATABASE_URL creates and migrates the SQLite database of GRANTBOT_DATA_DIR, once", async () => {
    const first = await migrate({ GRANTBOT_DATA_DIR: "state" });
    expect(first).toMatchObject({ code: 0, err: "" });
    const dbPath = join(cwd, "state", "grantbot.db");
    expect(first.out).toBe([
      ...MIGRATIONS.map((m) => `applied SQLite migration ${m.version} (${m.name})`),
      `SQLite database ${dbPath} is now at schema version ${MIGRATIONS.length}`,
      "",
    ].join("\n"));
    expect(await migrate({ GRANTBOT_DATA_DIR: "state" })).toEqual({ code: 0, err: "", out: `SQLite database ${dbPath} is up to date at schema version ${MIGRATIONS.length}\n` });
  });

  it("takes no arguments", async () => {
    const io = fakeIO();
    expect(await main(["migrate", "now"], io)).toBe(1);
    expect(io.err).toMatch(/^grantbot migrate: unexpected "now"/);
  });
});
