/**
 * `grantbot store copy --from <data dir> --to <postgres url>` on a SQLite deployment built by real
 * flows (the e2e Stack: grants requested, approved, merged, one revoked by the CLI), copied into a
 * fresh database of the run's PostgreSQL server: counts equal per table, the audit chain verifies
 * with the very same hashes, grantbot started on PostgreSQL sees the grants, and a credential
 * signed before the move still introspects as active. Refused: a running source, a non-empty
 * target, a missing source; a failure half-way writes nothing.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import pg from "pg";
import { afterAll, beforeAll, expect, it } from "vitest";
import { main, type CliIO } from "../../src/cli.ts";
import { TABLES } from "../../src/adapters/store-copy/copy-plan.ts";
import { describeWithPostgres, freshDatabaseUrl } from "../support/postgres.ts";
import { activeGrant } from "../e2e/flows.ts";
import { Stack } from "../e2e/stack.ts";

const KEY = randomBytes(32).toString("base64");
const ALL_TABLES = [...TABLES.map((t) => t.table), "audit_log"];

async function run(env: Record<string, string>, ...argv: string[]) {
  const io: CliIO & { out: string; err: string } = { out: "", err: "", cwd: process.cwd(), env, stdout: (t) => void (io.out += t), stderr: (t) => void (io.err += t) };
  const code = await main(argv, io);
  return { code, out: io.out, err: io.err };
}

async function sql<R extends pg.QueryResultRow = Record<string, unknown>>(url: string, text: string, values: unknown[] = []): Promise<R[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<R>(text, values)).rows;
  } finally {
    await client.end();
  }
}

async function pgCounts(url: string): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const t of ALL_TABLES) out[t] = (await sql<{ n: number }>(url, `SELECT COUNT(*)::int AS n FROM ${t}`))[0]!.n;
  return out;
}

function sqliteCounts(dataDir: string): Record<string, number> {
  const db = new Database(join(dataDir, "grantbot.db"), { readonly: true });
  try {
    return Object.fromEntries(ALL_TABLES.map((t) => [t, db.prepare(`SELECT COUNT(*) FROM ${t}`).pluck().get() as number]));
  } finally {
    db.close();
  }
}

describeWithPostgres("grantbot store copy", () => {
  let stack: Stack;
  let dataDir: string;
  let url: string;
  let kept: { id: string; token: string };
  let revokedId: string;
  let scratch: string;
  beforeAll(async () => {
    scratch = mkdtempSync(join(tmpdir(), "grantbot-store-copy-"));
    stack = await Stack.start();
    dataDir = stack.env.GRANTBOT_DATA_DIR!;
    const alice = stack.person("alice");
    const grant = await activeGrant(stack, alice.slack, "prod-db-readonly 1h INC-7 moving to postgres");
    kept = { id: grant.id, token: await stack.waitFor(() => stack.credentialToken(grant.id), 5000, "credential") };
    const other = await activeGrant(stack, stack.person("bob").slack, "prod-db-readonly 1h INC-8 revoked before the move");
    revokedId = other.id;
    expect((await run(stack.env, "revoke", revokedId)).code).toBe(0);
    await stack.settle();
    url = await freshDatabaseUrl("store_copy");
  });
  afterAll(async () => {
    await stack?.stop();
    rmSync(scratch, { recursive: true, force: true });
  });

  it("refuses a source whose serve is still running, and writes nothing to the target", async () => {
    const r = await run({ GRANTBOT_KEY_ENCRYPTION_KEY: KEY }, "store", "copy", "--from", dataDir, "--to", url);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/another grantbot \(pid \d+, started at .*\) is using the data directory .*; stop it before copying/);
    expect(await sql(url, "SELECT to_regclass('grants') AS t")).toEqual([{ t: null }]);
  });

  it("copies a stopped deployment: counts per table, the audit chain with the same hashes, jobs re-queued", async () => {
    await stack.grantbot.stop();
    // What a crash would have left: a job running under a lease (due far away, so nothing runs it),
    // and directory rows whose 0/1 become booleans.
    const db = new Database(join(dataDir, "grantbot.db"));
    db.prepare("INSERT INTO jobs (kind, payload, run_at, attempts, state, lease_until, created_at, updated_at) VALUES ('notify_expiry', ?, ?, 1, 'running', ?, 1, 1)")
      .run(JSON.stringify({ grantId: kept.id }), Date.now() + 86_400_000, Date.now() + 60_000);
    db.prepare("INSERT INTO directory_people (email, active, attributes, seen_at) VALUES ('gone@example.com', 0, '{}', 1), ('here@example.com', 1, '{\"title\":\"x\"}', 2)").run();
    db.prepare("INSERT INTO directory_polls (started_at, finished_at, pages, people, changes) VALUES (1, 2, 1, 2, 0)").run();
    db.close();
    const before = sqliteCounts(dataDir);
    const sqliteExport = await run({ GRANTBOT_DATA_DIR: dataDir }, "audit", "export");

    const r = await run({ GRANTBOT_KEY_ENCRYPTION_KEY: KEY }, "store", "copy", `--from=${dataDir}`, "--to", url);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/^copied .* to PostgreSQL database 127\.0\.0\.1:\d+\/store_copy_/);
    expect(r.out).toContain("1 job(s) running at the stop were queued again");
    for (const [table, n] of Object.entries(before)) expect(r.out).toMatch(new RegExp(`^  ${table} +${n}$`, "m"));
    expect(r.out).toMatch(/^signing keys: current \S+$/m);
    expect(await pgCounts(url)).toEqual(before);
    expect(before.grants).toBe(2);
    expect(before.audit_log).toBeGreaterThan(5);

    // The audit log: verifies on PostgreSQL, and exports line for line as SQLite did (same hashes).
    expect(await run({ GRANTBOT_DATABASE_URL: url }, "audit", "verify")).toMatchObject({ code: 0, out: `audit log OK: ${before.audit_log} rows\n` });
    expect((await run({ GRANTBOT_DATABASE_URL: url }, "audit", "export")).out).toBe(sqliteExport.out);

    // Jobs: nothing running, no lease, nobody holding one; ids go on past the copied ones.
    expect(await sql(url, "SELECT COUNT(*)::int AS n FROM jobs WHERE state = 'running' OR leased_by IS NOT NULL")).toEqual([{ n: 0 }]);
    expect(await sql(url, "SELECT state, lease_until FROM jobs WHERE kind = 'notify_expiry' AND run_at > $1", [Date.now() + 3_600_000])).toEqual([{ state: "queued", lease_until: null }]);
    const [ids] = await sql<{ max: string; next: string }>(url, "SELECT (SELECT MAX(id) FROM jobs) AS max, nextval(pg_get_serial_sequence('jobs', 'id')) AS next");
    expect(Number(ids!.next)).toBeGreaterThan(Number(ids!.max));
    expect(await sql(url, "SELECT email, active, attributes FROM directory_people ORDER BY email")).toEqual([
      { email: "gone@example.com", active: false, attributes: {} },
      { email: "here@example.com", active: true, attributes: { title: "x" } },
    ]);
  });

  it("runs grantbot on the copy: the grants are there and a credential signed before the move still introspects", async () => {
    const sqliteKid = (JSON.parse(readFileSync(join(dataDir, "signing-keys.json"), "utf8")) as { keys: { kid: string }[] }).keys[0]!.kid;
    Object.assign(stack.env, { GRANTBOT_DATABASE_URL: url, GRANTBOT_KEY_ENCRYPTION_KEY: KEY });
    await stack.startGrantbot();
    const listed = await run({ GRANTBOT_DATABASE_URL: url }, "grants", "--active", "--json");
    expect(listed.code, listed.err).toBe(0);
    expect(listed.out.trim().split("\n").map((l) => (JSON.parse(l) as { id: string }).id)).toEqual([kept.id]);
    expect((await stack.grant(revokedId)).state).toBe("revoked");
    expect((await stack.introspect(kept.token)).body).toMatchObject({ active: true, sub: stack.person("alice").email });
    const jwks = (await (await fetch(`${stack.url}/.well-known/jwks.json`)).json()) as { keys: { kid: string }[] };
    expect(jwks.keys.map((k) => k.kid)).toContain(sqliteKid);
  });

  it("refuses a target that already holds grantbot data, changing nothing", async () => {
    const before = await pgCounts(url);
    const r = await run({ GRANTBOT_KEY_ENCRYPTION_KEY: KEY }, "store", "copy", "--from", dataDir, "--to", url);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/the target database already holds grantbot data \(grants, jobs, .*audit_log, signing_keys\); store copy only fills an empty database/);
    expect(await pgCounts(url)).toEqual(before);
  });

  it("writes nothing when the copy fails half-way (a row PostgreSQL refuses)", async () => {
    const copy = join(scratch, "broken");
    rmSync(copy, { recursive: true, force: true });
    mkdirSync(copy, { mode: 0o700 });
    for (const f of ["grantbot.db", "signing-keys.json"]) copyFileSync(join(dataDir, f), join(copy, f));
    const db = new Database(join(copy, "grantbot.db"));
    db.prepare("INSERT INTO breakglass_grants (grant_id, resource, subject, review_within_ms, channels, created_at) VALUES (?, 'x', 'y', 1, 'not json', 1)").run(kept.id);
    db.close();
    const target = await freshDatabaseUrl("store_copy_fail");
    const r = await run({ GRANTBOT_KEY_ENCRYPTION_KEY: KEY }, "store", "copy", "--from", copy, "--to", target);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^grantbot store copy: copying breakglass_grants: invalid input syntax for type json/);
    expect(Object.values(await pgCounts(target)).every((n) => n === 0)).toBe(true);
    expect(await sql(target, "SELECT seq FROM audit_head")).toEqual([{ seq: "0" }]);
    expect(await sql(target, "SELECT COUNT(*)::int AS n FROM signing_keys")).toEqual([{ n: 0 }]);
  });

  it("refuses a missing source, and needs GRANTBOT_KEY_ENCRYPTION_KEY", async () => {
    const missing = await run({ GRANTBOT_KEY_ENCRYPTION_KEY: KEY }, "store", "copy", "--from", join(scratch, "nowhere"), "--to", url);
    expect(missing).toMatchObject({ code: 1, err: expect.stringMatching(/no data directory at .*nowhere/) });
    const noKey = await run({}, "store", "copy", "--from", dataDir, "--to", url);
    expect(noKey).toMatchObject({ code: 1, err: expect.stringMatching(/GRANTBOT_KEY_ENCRYPTION_KEY is not set/) });
  });
});
