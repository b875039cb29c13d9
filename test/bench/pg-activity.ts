/**
 * BENCH_PG_ACTIVITY=1 (with --store postgres): where the instances' database time goes. Samples
 * pg_stat_activity every 50 ms over a window (the expiry scenarios' first seconds) and counts, per
 * state and wait event, the grantbot connections seen in it, plus the statements most often seen
 * running or waiting. A sampling profiler of the database side, printed to stderr.
 */
import pg from "pg";

const SAMPLE_SQL = `
SELECT state, coalesce(wait_event_type || ':' || wait_event, 'on CPU') AS wait, left(regexp_replace(query, '\\s+', ' ', 'g'), 90) AS query
FROM pg_stat_activity WHERE datname = current_database() AND application_name LIKE 'grantbot:%' AND pid <> pg_backend_pid()`;

export function sampleActivity(url: string, log: (m: string) => void): { stop(): Promise<void> } {
  const client = new pg.Client({ connectionString: url, application_name: "grantbot-bench-sampler" });
  const waits = new Map<string, number>();
  const queries = new Map<string, number>();
  let samples = 0;
  let stopped = false;
  const loop = (async () => {
    await client.connect();
    while (!stopped) {
      const { rows } = await client.query<{ state: string; wait: string; query: string }>(SAMPLE_SQL);
      samples++;
      for (const r of rows) {
        const key = `${r.state} ${r.state === "active" ? r.wait : ""}`.trim();
        waits.set(key, (waits.get(key) ?? 0) + 1);
        if (r.state === "active") queries.set(`${r.wait} ${r.query}`, (queries.get(`${r.wait} ${r.query}`) ?? 0) + 1);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    await client.end();
  })();
  return {
    stop: async () => {
      stopped = true;
      await loop.catch((err: Error) => log(`pg activity sampler failed: ${err.message}`));
      const top = (m: Map<string, number>, n: number) => [...m].sort((a, b) => b[1] - a[1]).slice(0, n).map(([k, v]) => `  ${(v / samples).toFixed(2)} ${k}`).join("\n");
      log(`pg_stat_activity, ${samples} samples; average grantbot connections per state:\n${top(waits, 12)}\nstatements seen active (average per sample):\n${top(queries, 15)}`);
    },
  };
}
