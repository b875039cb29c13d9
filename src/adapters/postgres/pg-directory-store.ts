/**
 * The directory snapshot (`directory_people`, `directory_polls`) on PostgreSQL; same behaviour as
 * SqliteDirectoryStore. Several instances may poll and receive pushes at once: `put` is one upsert
 * on the email key, so a person written by two instances together is still one row (the later
 * write wins, and a poll mark is never erased by a push).
 */
import type { DirectoryRecord, DirectorySnapshotStore } from "../../services/ports/index.ts";
import type { AsyncPort } from "./async-port.ts";
import type { Queryable } from "./pg-database.ts";

type PersonRow = {
  email: string;
  scim_id: string | null;
  active: boolean;
  manager_email: string | null;
  manager_scim_id: string | null;
  display_name: string | null;
  groups: string[] | null;
  attributes: Record<string, unknown>;
  seen_at: number;
  removed_at: number | null;
};

const COLUMNS = "email, scim_id, active, manager_email, manager_scim_id, display_name, groups, attributes, seen_at, removed_at";

function toRecord(row: PersonRow): DirectoryRecord {
  return {
    email: row.email,
    directoryId: row.scim_id,
    active: row.active,
    managerId: row.manager_scim_id,
    managerEmail: row.manager_email,
    displayName: row.display_name,
    groups: row.groups,
    attributes: row.attributes,
    seenAt: row.seen_at,
    removedAt: row.removed_at,
  };
}

export class PgDirectoryStore implements AsyncPort<DirectorySnapshotStore> {
  constructor(private readonly db: Queryable) {}

  /** The record of this email (matched lower-cased), or null. */
  async get(email: string): Promise<DirectoryRecord | null> {
    const { rows } = await this.db.query<PersonRow>(`SELECT ${COLUMNS} FROM directory_people WHERE email = $1`, [email.toLowerCase()]);
    return rows[0] ? toRecord(rows[0]) : null;
  }

  /** The record with this directory id: a present one before a removed one, then the latest seen. */
  async getByDirectoryId(directoryId: string): Promise<DirectoryRecord | null> {
    const { rows } = await this.db.query<PersonRow>(
      `SELECT ${COLUMNS} FROM directory_people WHERE scim_id = $1 ORDER BY removed_at IS NOT NULL, seen_at DESC, email LIMIT 1`,
      [directoryId],
    );
    return rows[0] ? toRecord(rows[0]) : null;
  }

  /**
   * Inserts or replaces the record (by lower-cased email), in one statement. With `pollId`, marks
   * it seen by that poll; without, keeps the poll mark it had.
   */
  async put(record: DirectoryRecord, pollId?: number): Promise<void> {
    await this.db.query(
      `INSERT INTO directory_people (${COLUMNS}, last_poll)
       VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8::jsonb, $9, $10, $11)
       ON CONFLICT (email) DO UPDATE SET scim_id = excluded.scim_id, active = excluded.active, manager_email = excluded.manager_email,
         manager_scim_id = excluded.manager_scim_id, display_name = excluded.display_name, groups = excluded.groups,
         attributes = excluded.attributes, seen_at = excluded.seen_at, removed_at = excluded.removed_at,
         last_poll = COALESCE(excluded.last_poll, directory_people.last_poll)`,
      [
        record.email.toLowerCase(),
        record.directoryId,
        record.active,
        record.managerEmail?.toLowerCase() ?? null,
        record.managerId,
        record.displayName,
        record.groups === null ? null : JSON.stringify(record.groups),
        JSON.stringify(record.attributes ?? {}),
        record.seenAt,
        record.removedAt,
        pollId ?? null,
      ],
    );
  }

  /** Starts a poll; returns its id (increasing, never reused, across instances). */
  async startPoll(at: number): Promise<number> {
    const { rows } = await this.db.query<{ id: number }>("INSERT INTO directory_polls (started_at) VALUES ($1) RETURNING id", [at]);
    return rows[0]!.id;
  }

  /** Records the end of a poll and its counts. */
  async finishPoll(pollId: number, at: number, stats: { pages: number; people: number; changes: number }): Promise<void> {
    await this.db.query("UPDATE directory_polls SET finished_at = $2, pages = $3, people = $4, changes = $5 WHERE id = $1", [
      pollId,
      at,
      stats.pages,
      stats.people,
      stats.changes,
    ]);
  }

  /** Present records an earlier poll saw and poll `pollId` did not (pushed-only ones excluded), by email. */
  async unseen(pollId: number): Promise<DirectoryRecord[]> {
    const { rows } = await this.db.query<PersonRow>(
      `SELECT ${COLUMNS} FROM directory_people WHERE removed_at IS NULL AND last_poll IS NOT NULL AND last_poll < $1 ORDER BY email`,
      [pollId],
    );
    return rows.map(toRecord);
  }

  /**
   * Sets managerEmail from the snapshot for every record seen by `pollId` whose managerId is known
   * there; returns the manager ids it could not resolve (sorted).
   */
  async resolveManagers(pollId: number): Promise<string[]> {
    await this.db.query(
      `UPDATE directory_people AS p SET manager_email = m.email
       FROM (SELECT scim_id, email FROM directory_people WHERE scim_id IS NOT NULL) AS m
       WHERE p.last_poll = $1 AND p.manager_scim_id = m.scim_id AND p.manager_email IS DISTINCT FROM m.email`,
      [pollId],
    );
    const { rows } = await this.db.query<{ id: string }>(
      `SELECT DISTINCT p.manager_scim_id COLLATE "C" AS id FROM directory_people p
       WHERE p.last_poll = $1 AND p.manager_scim_id IS NOT NULL
         AND NOT EXISTS (SELECT 1 FROM directory_people m WHERE m.scim_id = p.manager_scim_id)
       ORDER BY id`,
      [pollId],
    );
    return rows.map((r) => r.id);
  }

  /** How many records are not marked removed. */
  async countPresent(): Promise<number> {
    const { rows } = await this.db.query<{ n: number }>("SELECT COUNT(*) AS n FROM directory_people WHERE removed_at IS NULL");
    return rows[0]?.n ?? 0;
  }

  async all(): Promise<DirectoryRecord[]> {
    const { rows } = await this.db.query<PersonRow>("SELECT * FROM directory_people ORDER BY email COLLATE \"C\"");
    return rows.map(toRecord);
  }
}
