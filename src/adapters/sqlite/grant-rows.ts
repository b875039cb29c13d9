/**
 * Mapping between the Grant model and `grants` rows: one column per field, JSON for the two
 * structured fields. Kept apart from the store so the SQL there stays readable.
 */
import { AppError } from "../../domain/errors.ts";
import { assertTransition, type Grant, type GrantState } from "../../domain/grant.ts";
import type { GrantEnd } from "../../services/ports/index.ts";

export interface GrantRow {
  id: string;
  resource: string;
  subject: string;
  requester: string;
  requester_slack_id: string | null;
  duration_ms: number;
  reason: string;
  requested_at: number;
  extends: string | null;
  state: string;
  file_content: string;
  file_path: string;
  branch: string;
  pr_number: number | null;
  pr_url: string | null;
  head_sha: string | null;
  merge_sha: string | null;
  approved_by: string;
  approved_at: number | null;
  activated_at: number | null;
  expires_at: number | null;
  ended_at: number | null;
  end_reason: string | null;
  access: string | null;
  credential_message: string | null;
  updated_at: number;
  owner: string | null;
  policy_sha: string | null;
}

/** Grant field -> column, with how the value is written. */
const COLUMNS: { readonly [K in keyof Grant]-?: readonly [column: keyof GrantRow, encode?: (value: Grant[K]) => unknown] } = {
  id: ["id"],
  resource: ["resource"],
  subject: ["subject"],
  requester: ["requester"],
  requesterSlackId: ["requester_slack_id"],
  durationMs: ["duration_ms"],
  reason: ["reason"],
  requestedAt: ["requested_at"],
  extends: ["extends"],
  state: ["state"],
  fileContent: ["file_content"],
  filePath: ["file_path"],
  branch: ["branch"],
  prNumber: ["pr_number"],
  prUrl: ["pr_url"],
  headSha: ["head_sha"],
  mergeSha: ["merge_sha"],
  approvedBy: ["approved_by", (v) => JSON.stringify(v)],
  approvedAt: ["approved_at"],
  activatedAt: ["activated_at"],
  expiresAt: ["expires_at"],
  endedAt: ["ended_at"],
  endReason: ["end_reason"],
  access: ["access", (v) => (v === null ? null : JSON.stringify(v))],
  credentialMessage: ["credential_message", (v) => (v === null ? null : JSON.stringify(v))],
  updatedAt: ["updated_at"],
  owner: ["owner"],
  policySha: ["policy_sha"],
};

export const GRANT_FIELDS = Object.keys(COLUMNS) as (keyof Grant)[];

/** The column a Grant field is stored in; throws `bad_input` for an unknown field. */
export function columnOf(field: string): string {
  const entry = (COLUMNS as Record<string, readonly [string, unknown?]>)[field];
  if (!entry) throw new AppError("bad_input", `unknown grant field "${field}"`);
  return entry[0];
}

/** The SQL parameter value for a Grant field (undefined becomes NULL). */
export function encodeField<K extends keyof Grant>(field: K, value: Grant[K]): unknown {
  const encode = COLUMNS[field][1] as ((v: Grant[K]) => unknown) | undefined;
  if (value === undefined) return null;
  return encode ? encode(value) : value;
}

/**
 * The `column = <placeholder>` assignments and their values for an update of a grant with `patch`
 * (`updatedAt` from the patch, else `now`); `placeholder(n)` writes the n-th parameter (1-based:
 * `?` on SQLite, `$n` on PostgreSQL). Throws `bad_input` for the id or an unknown field.
 */
export function patchAssignments(patch: Partial<Omit<Grant, "id">>, now: number, placeholder: (n: number) => string): { sets: string[]; params: unknown[] } {
  const fields = { ...patch, updatedAt: patch.updatedAt ?? now } as Partial<Grant>;
  if ("id" in fields) throw new AppError("bad_input", "a grant's id cannot be changed");
  const params: unknown[] = [];
  const sets = Object.entries(fields)
    .filter(([, value]) => value !== undefined)
    .map(([field, value]) => {
      const column = columnOf(field);
      params.push(encodeField(field as keyof Grant, value as never));
      return `${column} = ${placeholder(params.length)}`;
    });
  return { sets, params };
}

/** Named parameters (keyed by column) for inserting a whole grant. */
export function grantToParams(grant: Grant): Record<string, unknown> {
  const params: Record<string, unknown> = {};
  for (const field of GRANT_FIELDS) params[columnOf(field)] = encodeField(field, grant[field]);
  return params;
}

export function rowToGrant(row: GrantRow): Grant {
  return {
    id: row.id,
    resource: row.resource,
    subject: row.subject,
    requester: row.requester,
    requesterSlackId: row.requester_slack_id,
    durationMs: row.duration_ms,
    reason: row.reason,
    requestedAt: row.requested_at,
    extends: row.extends,
    state: row.state as GrantState,
    fileContent: row.file_content,
    filePath: row.file_path,
    branch: row.branch,
    prNumber: row.pr_number,
    prUrl: row.pr_url,
    headSha: row.head_sha,
    mergeSha: row.merge_sha,
    approvedBy: JSON.parse(row.approved_by) as string[],
    approvedAt: row.approved_at,
    activatedAt: row.activated_at,
    expiresAt: row.expires_at,
    endedAt: row.ended_at,
    endReason: row.end_reason,
    access: row.access === null ? null : (JSON.parse(row.access) as Grant["access"]),
    credentialMessage: row.credential_message === null ? null : (JSON.parse(row.credential_message) as Grant["credentialMessage"]),
    updatedAt: row.updated_at,
    ...(row.owner ? { owner: row.owner } : {}),
    ...(row.policy_sha ? { policySha: row.policy_sha } : {}),
  };
}

/**
 * The first end of each id, after checking every transition (throws `invalid_transition` before
 * anything changes). `from === state` is no transition: allowed, as `update` allows it.
 */
export function firstEndPerId(ends: readonly GrantEnd[]): GrantEnd[] {
  for (const end of ends) if (end.from !== end.state) assertTransition(end.from, end.state);
  const byId = new Map<string, GrantEnd>();
  for (const end of ends) if (!byId.has(end.id)) byId.set(end.id, end);
  return [...byId.values()];
}
