/**
 * Multi-row INSERTs from an iterator of source rows, a few hundred rows per statement (well under
 * PostgreSQL's 65,535 parameters). Parameter types come from the target columns, so JSON text
 * sent to a JSONB column is parsed by PostgreSQL, and numbers go to BIGINT as they are.
 */
import type { Queryable } from "../postgres/pg-database.ts";

const MAX_PARAMS = 30_000;
const MAX_ROWS = 500;

/** Returns the number of rows inserted. `overriding`: copy the values of an identity column. */
export async function insertBatches(
  db: Queryable,
  table: string,
  columns: readonly string[],
  rows: Iterable<Record<string, unknown>>,
  options: { overriding?: boolean } = {},
): Promise<number> {
  const perBatch = Math.max(1, Math.min(MAX_ROWS, Math.floor(MAX_PARAMS / columns.length)));
  const head = `INSERT INTO ${table} (${columns.join(", ")})${options.overriding ? " OVERRIDING SYSTEM VALUE" : ""} VALUES `;
  let batch: Record<string, unknown>[] = [];
  let count = 0;
  const flush = async () => {
    if (batch.length === 0) return;
    const values: unknown[] = [];
    const tuples = batch.map((row) => `(${columns.map((c) => `$${values.push(row[c] ?? null)}`).join(", ")})`);
    await db.query(head + tuples.join(", "), values);
    count += batch.length;
    batch = [];
  };
  for (const row of rows) {
    batch.push(row);
    if (batch.length >= perBatch) await flush();
  }
  await flush();
  return count;
}
