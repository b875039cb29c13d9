/**
 * What `grantbot store copy` copies, table by table: the columns of the final SQLite schema
 * (src/adapters/sqlite/migration-0*.ts) and where they go in the PostgreSQL schema
 * (src/adapters/postgres/schema-*.ts). The names are the same on both sides; what differs is
 * converted here or by PostgreSQL itself:
 * - JSON text -> JSONB: the text is sent as the parameter of a JSONB column, which PostgreSQL
 *   parses (malformed JSON fails the whole copy, naming the table);
 * - 0/1 -> BOOLEAN (`directory_people.active`), converted here;
 * - INTEGER epoch ms -> BIGINT, unchanged;
 * - SQLite AUTOINCREMENT ids -> identity columns: copied as they are (OVERRIDING SYSTEM VALUE),
 *   then the sequence is moved past the highest id SQLite ever handed out;
 * - generated columns (`jobs.grant_id`) are not copied: PostgreSQL computes its own;
 * - `slack_cards.seq` (PostgreSQL's stand-in for SQLite's rowid) is generated as rows are copied
 *   in rowid order, so card copies keep their order.
 * Order matters: `grants` comes before the tables that reference it. The audit log and the
 * signing keys have their own steps (copy-audit.ts, copy-keys.ts).
 */
export type SourceRow = Record<string, unknown>;

export interface TableCopy {
  table: string;
  columns: readonly string[];
  /** ORDER BY of the source read (copying in a stable order keeps generated columns in order). */
  order: string;
  /** 0/1 columns that are BOOLEAN on PostgreSQL. */
  booleans?: readonly string[];
  /** An identity column on PostgreSQL whose values are copied as they are. */
  identity?: string;
  /** Changes a row on the way (jobs: leases do not survive the move). */
  transform?(row: SourceRow): SourceRow;
}

/**
 * Jobs queued or running at the stop are queued again (what `requeueRunning` does at a restart):
 * their lease is gone with the process that held it, and `leased_by` stays NULL until an instance
 * claims them. Done and dead jobs are kept as they are (their history and dedupe keys).
 */
export function requeueJob(row: SourceRow): SourceRow {
  if (row.state !== "queued" && row.state !== "running") return row;
  return { ...row, state: "queued", lease_until: null };
}

export const TABLES: readonly TableCopy[] = [
  {
    table: "grants",
    columns: ["id", "resource", "subject", "requester", "requester_slack_id", "duration_ms", "reason", "requested_at", "extends", "state", "file_content", "file_path", "branch", "pr_number", "pr_url", "head_sha", "merge_sha", "approved_by", "approved_at", "activated_at", "expires_at", "ended_at", "end_reason", "access", "credential_message", "updated_at", "owner", "policy_sha"],
    order: "id",
  },
  {
    table: "jobs",
    columns: ["id", "kind", "payload", "run_at", "attempts", "max_attempts", "last_error", "state", "dedupe_key", "lock_key", "lease_until", "created_at", "updated_at"],
    order: "id",
    identity: "id",
    transform: requeueJob,
  },
  { table: "deliveries", columns: ["source", "id", "received_at"], order: "source, id" },
  { table: "credentials", columns: ["jti", "grant_id", "subject", "audience", "scope", "kid", "issued_at", "expires_at", "revoked_at"], order: "jti" },
  {
    table: "directory_people",
    columns: ["email", "scim_id", "active", "manager_email", "manager_scim_id", "display_name", "groups", "attributes", "seen_at", "removed_at", "last_poll"],
    order: "email",
    booleans: ["active"],
  },
  { table: "directory_polls", columns: ["id", "started_at", "finished_at", "pages", "people", "changes"], order: "id", identity: "id" },
  {
    table: "offboarding_cases",
    columns: ["id", "email", "source", "cause", "started_at", "revoked", "cancelled", "orphans", "pending_notice_at", "completed_at"],
    order: "id",
  },
  { table: "slack_cards", columns: ["grant_id", "channel", "ts", "audience", "recipient", "posted_at"], order: "rowid" },
  { table: "review_snapshots", columns: ["grant_id", "approved_by", "changes_requested_by", "required", "checked_at"], order: "grant_id" },
  { table: "slack_home_users", columns: ["email", "user_id", "opened_at"], order: "email" },
  {
    table: "breakglass_grants",
    columns: ["grant_id", "resource", "subject", "review_within_ms", "channels", "created_at", "activated_at", "review_deadline", "announced_at", "status", "reviewed_at", "approvers", "escalations"],
    order: "grant_id",
  },
  {
    table: "access_reviews",
    columns: ["id", "resource", "kind", "cause", "state", "branch", "members", "pr_number", "pr_url", "opened_at", "closed_at", "outcome", "reminded_at", "base_sha"],
    order: "id",
  },
  { table: "standing_seen", columns: ["resource", "email", "first_seen"], order: "resource, email" },
  { table: "standing_missed", columns: ["resource", "email", "deadline", "on_missed", "at"], order: "resource, email, deadline" },
  { table: "grant_usage", columns: ["grant_id", "first_use", "last_use", "uses"], order: "grant_id" },
];

/** Every table of grantbot's data on PostgreSQL: a target holding a row in any of them is not empty. */
export const TARGET_TABLES: readonly string[] = [...TABLES.map((t) => t.table), "audit_log", "signing_keys"];
