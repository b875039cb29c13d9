/**
 * The CLI commands that open grantbot's database, on PostgreSQL (GRANTBOT_DATABASE_URL), next to
 * a running instance: `grants`, `audit verify` (intact, then a row edited with SQL), `audit export`,
 * `evidence`, and the one-shots (`revoke`, `reconcile`, `reviews`), which must not keep the
 * cluster's leadership nor leave leases behind.
 */
import pg from "pg";
import { afterAll, beforeAll, expect, it } from "vitest";
import { main, type CliIO } from "../../src/cli.ts";
import { buildOneShot } from "../../src/cli/one-shot.ts";
import { loadConfig } from "../../src/config/index.ts";
import { PgLeadership } from "../../src/adapters/postgres/pg-leadership.ts";
import { createLogger } from "../../src/shared/logger.ts";
import { describeWithPostgres, freshDatabaseUrl } from "../support/postgres.ts";
import { activeGrant } from "./flows.ts";
import { Stack } from "./stack.ts";

function captureIO(env: Record<string, string>): CliIO & { out: string; err: string } {
  const io = { out: "", err: "", cwd: process.cwd(), env, stdout: (t: string) => void (io.out += t), stderr: (t: string) => void (io.err += t) };
  return io;
}

async function run(env: Record<string, string>, ...argv: string[]) {
  const io = captureIO(env);
  const code = await main(argv, io);
  return { code, out: io.out, err: io.err };
}

async function sql(url: string, text: string, values: unknown[] = []): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await client.query(text, values);
  } finally {
    await client.end();
  }
}

/** application_name of the sessions holding the leadership lock (pg-leadership.ts) of this database. */
async function leaders(url: string): Promise<string[]> {
  const { rows } = await sql(url, `
    SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
    WHERE l.locktype = 'advisory' AND l.granted AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
      AND ((l.classid::bigint << 32) | l.objid::bigint) = hashtextextended('grantbot.leader', 0)`);
  return rows.map((r: { application_name: string }) => r.application_name);
}

describeWithPostgres("grantbot CLI on PostgreSQL next to a running instance", () => {
  let stack: Stack;
  let url: string;
  beforeAll(async () => {
    stack = await Stack.start({ database: "postgres" });
    url = stack.env.GRANTBOT_DATABASE_URL!;
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it("lists grants, revokes one through the shared queue, and leaves the leadership with the instance", async () => {
    const alice = stack.person("alice");
    const grant = await activeGrant(stack, alice.slack, "prod-db-readonly 1h INC-7 cli on postgres");
    const token = await stack.waitFor(() => stack.credentialToken(grant.id), 5000, "credential");
    // The CLI needs only the database URL: no data directory, no key encryption key.
    const listed = await run({ GRANTBOT_DATABASE_URL: url, GRANTBOT_DATA_DIR: "/nonexistent" }, "grants", "--active", "--json");
    expect(listed.code, listed.err).toBe(0);
    expect(listed.out.trim().split("\n").map((l) => (JSON.parse(l) as { id: string }).id)).toEqual([grant.id]);
    expect(await leaders(url)).toEqual([expect.not.stringMatching(/^grantbot:cli-/)]);

    const revoked = await run(stack.env, "revoke", grant.id);
    expect(revoked.code, revoked.err).toBe(0);
    expect(revoked.out).toMatch(/revoked: credential inactive, SCIM membership removed and verified/);
    expect((await stack.introspect(token)).body).toEqual({ active: false });
    expect(stack.members("aws", "prod-db-readonly")).not.toContain(alice.email);
    // The one-shot ended holding no lease, and the instance still leads.
    expect((await sql(url, "SELECT COUNT(*)::int AS n FROM jobs WHERE state = 'running' AND leased_by LIKE 'cli-%'")).rows[0].n).toBe(0);
    expect(await leaders(url)).toEqual([expect.not.stringMatching(/^grantbot:cli-/)]);
  });

  it("reports evidence, drift and reviews from the PostgreSQL database", async () => {
    const evidence = await run(stack.env, "evidence", "--json", "--out=-");
    expect(evidence.code, evidence.err).toBe(0);
    expect(evidence.out).toContain("prod-db-readonly");
    const reconcile = await run(stack.env, "reconcile", "--json");
    expect(reconcile.code, reconcile.err).toBe(0);
    expect(JSON.parse(reconcile.out)).toMatchObject({ resources: expect.any(Array) });
    const reviews = await run(stack.env, "reviews", "--json");
    expect(reviews.code, reviews.err).toBe(0);
    expect(JSON.parse(reviews.out)).toMatchObject({ due: expect.any(Array), completed: expect.any(Array) });
    expect(await leaders(url)).toEqual([expect.not.stringMatching(/^grantbot:cli-/)]);
  });

  it("verifies and exports the audit log; an edited row makes verify fail naming it", async () => {
    const verify = await run({ GRANTBOT_DATABASE_URL: url }, "audit", "verify");
    expect(verify.code, verify.err).toBe(0);
    const rows = Number(/audit log OK: (\d+) rows/.exec(verify.out)?.[1]);
    expect(rows).toBeGreaterThan(3);

    const exported = await run({ GRANTBOT_DATABASE_URL: url }, "audit", "export");
    expect(exported.code, exported.err).toBe(0);
    const lines = exported.out.trim().split("\n").map((l) => JSON.parse(l) as { seq: number; hash: string });
    expect(lines.length).toBeGreaterThanOrEqual(rows);
    expect(lines.slice(0, rows).map((l) => l.seq)).toEqual(Array.from({ length: rows }, (_, i) => i + 1));
    const stored = await sql(url, "SELECT seq, hash FROM audit_log WHERE seq <= $1 ORDER BY seq", [rows]);
    expect(lines.slice(0, rows).map((l) => l.hash)).toEqual(stored.rows.map((r: { hash: string }) => r.hash));
    expect(exported.out).not.toMatch(/eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.|xoxb-|ghp_/);

    await sql(url, "ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_update; UPDATE audit_log SET actor = 'mallory' WHERE seq = 2; ALTER TABLE audit_log ENABLE TRIGGER audit_log_no_update;");
    const tampered = await run({ GRANTBOT_DATABASE_URL: url }, "audit", "verify");
    expect(tampered.code).toBe(1);
    expect(tampered.out).toMatch(/^seq 2: content does not match its hash \(row edited\)$/m);
    expect(tampered.err).toMatch(/audit log BROKEN: 1 problem\(s\) in \d+ rows \(PostgreSQL database 127\.0\.0\.1:\d+\//);
  });
});

describeWithPostgres("a CLI one-shot on PostgreSQL", () => {
  it("gives the cluster's leadership back at once, so an instance can take it", async () => {
    const stack = await Stack.start({ database: "postgres" });
    try {
      await stack.grantbot.stop();
      const config = loadConfig(stack.env);
      const built = await buildOneShot(config, "test", createLogger({ level: "silent" }));
      const instance = new PgLeadership({ url: stack.env.GRANTBOT_DATABASE_URL! });
      try {
        expect(built.instanceId).toMatch(/^cli-test-/);
        expect(built.cluster?.isLeader()).toBe(false);
        expect(await leaders(stack.env.GRANTBOT_DATABASE_URL!)).toEqual([]);
        expect(await instance.tick()).toBe(true);
      } finally {
        await instance.close();
        await built.close();
      }
    } finally {
      await stack.stop();
    }
  });

  it("lists the grants of a fresh PostgreSQL database with GRANTBOT_DATABASE_URL alone", async () => {
    const url = await freshDatabaseUrl("cli_pg");
    const r = await run({ GRANTBOT_DATABASE_URL: url }, "grants");
    expect(r.code, r.err).toBe(0);
    expect(r.err).toBe("0 grant(s)\n");
  });
});
