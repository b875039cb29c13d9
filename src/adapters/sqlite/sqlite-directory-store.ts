/**
 * The directory snapshot (`directory_people`) on SQLite: the last record of each person, kept
 * after they disappear from the directory so their manager stays known, plus poll bookkeeping
 * (`last_poll`) that tells a deleted person from an unchanged one.
 */
import type Database from "better-sqlite3";
import type { DirectoryRecord } from "../../services/ports/index.ts";

interface PersonRow {
  email: string;
  scim_id: string | null;
  active: number;
  manager_email: string | null;
  manager_scim_id: string | null;
  display_name: string | null;
  groups: string | null;
  attributes: string;
  seen_at: number;
  removed_at: number | null;
}

function toRecord(row: PersonRow): DirectoryRecord {
  return {
    email: row.email,
    directoryId: row.scim_id,
    active: row.active === 1,
    managerId: row.manager_scim_id,
    managerEmail: row.manager_email,
    displayName: row.display_name,
    groups: row.groups === null ? null : (JSON.parse(row.groups) as string[]),
    attributes: JSON.parse(row.attributes) as Record<string, unknown>,
    seenAt: row.seen_at,
    removedAt: row.removed_at,
  };
}

export class SqliteDirectoryStore {
  private readonly stmts;

  constructor(db: Database.Database) {
    this.stmts = {
      get: db.prepare<[string], PersonRow>("SELECT * FROM directory_people WHERE email = ?"),
      byId: db.prepare<[string], PersonRow>("SELECT * FROM directory_people WHERE scim_id = ? ORDER BY removed_at IS NOT NULL, seen_at DESC LIMIT 1"),
      put: db.prepare(
        `INSERT INTO directory_people (email, scim_id, active, manager_email, manager_scim_id, display_name, groups, attributes, seen_at, removed_at, last_poll)
         VALUES (@email, @scim_id, @active, @manager_email, @manager_scim_id, @display_name, @groups, @attributes, @seen_at, @removed_at, @last_poll)
         ON CONFLICT (email) DO UPDATE SET scim_id = excluded.scim_id, active = excluded.active, manager_email = excluded.manager_email,
           manager_scim_id = excluded.manager_scim_id, display_name = excluded.display_name, groups = excluded.groups,
           attributes = excluded.attributes, seen_at = excluded.seen_at, removed_at = excluded.removed_at,
           last_poll = COALESCE(excluded.last_poll, directory_people.last_poll)`,
      ),
      startPoll: db.prepare<[number], { id: number }>("INSERT INTO directory_polls (started_at) VALUES (?) RETURNING id"),
      finishPoll: db.prepare("UPDATE directory_polls SET finished_at = @at, pages = @pages, people = @people, changes = @changes WHERE id = @id"),
      unseen: db.prepare<[number], PersonRow>("SELECT * FROM directory_people WHERE removed_at IS NULL AND last_poll IS NOT NULL AND last_poll < ? ORDER BY email"),
      resolve: db.prepare(
        `UPDATE directory_people AS p SET manager_email = m.email
         FROM (SELECT scim_id, email FROM directory_people WHERE scim_id IS NOT NULL) AS m
         WHERE p.last_poll = ? AND p.manager_scim_id = m.scim_id AND p.manager_email IS NOT m.email`,
      ),
      unresolved: db
        .prepare<[number], string>(
          `SELECT DISTINCT p.manager_scim_id FROM directory_people p
           WHERE p.last_poll = ? AND p.manager_scim_id IS NOT NULL
             AND NOT EXISTS (SELECT 1 FROM directory_people m WHERE m.scim_id = p.manager_scim_id)`,
        )
        .pluck(),
      present: db.prepare<[], number>("SELECT COUNT(*) FROM directory_people WHERE removed_at IS NULL").pluck(),
      all: db.prepare<[], PersonRow>("SELECT * FROM directory_people ORDER BY email"),
    };
  }

  get(email: string): DirectoryRecord | null {
    const row = this.stmts.get.get(email.toLowerCase());
    return row ? toRecord(row) : null;
  }

  getByDirectoryId(directoryId: string): DirectoryRecord | null {
    const row = this.stmts.byId.get(directoryId);
    return row ? toRecord(row) : null;
  }

  put(record: DirectoryRecord, pollId?: number): void {
    this.stmts.put.run({
      email: record.email.toLowerCase(),
      scim_id: record.directoryId,
      active: record.active ? 1 : 0,
      manager_email: record.managerEmail?.toLowerCase() ?? null,
      manager_scim_id: record.managerId,
      display_name: record.displayName,
      groups: record.groups === null ? null : JSON.stringify(record.groups),
      attributes: JSON.stringify(record.attributes ?? {}),
      seen_at: record.seenAt,
      removed_at: record.removedAt,
      last_poll: pollId ?? null,
    });
  }

  startPoll(at: number): number {
    return this.stmts.startPoll.get(at)!.id;
  }

  finishPoll(pollId: number, at: number, stats: { pages: number; people: number; changes: number }): void {
    this.stmts.finishPoll.run({ id: pollId, at, ...stats });
  }

  unseen(pollId: number): DirectoryRecord[] {
    return this.stmts.unseen.all(pollId).map(toRecord);
  }

  resolveManagers(pollId: number): string[] {
    this.stmts.resolve.run(pollId);
    return this.stmts.unresolved.all(pollId);
  }

  countPresent(): number {
    return this.stmts.present.get() ?? 0;
  }

  all(): DirectoryRecord[] {
    return this.stmts.all.all().map(toRecord);
  }
}
