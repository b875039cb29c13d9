/**
 * Access-review e2e set-up: a catalog whose `prod-db-readonly` has a review policy and standing
 * members with review dates relative to today (the review check works on calendar dates, so the
 * tests run on the real clock with dates a few days before or after today), those members already
 * in the SCIM group, and helpers to find the review PR, edit it as a reviewer and merge it.
 */
import { dateOf } from "../../src/domain/review-schedule.ts";
import { editStandingMembers } from "../../src/domain/review-catalog-edit.ts";
import type { AccessReview } from "../../src/services/ports/index.ts";
import type { AuditRecord } from "../../src/services/ports/index.ts";
import { Stack, type StackOptions } from "./stack.ts";

export const RESOURCE = "prod-db-readonly";
const DAY = 86_400_000;

/** `YYYY-MM-DD`, `days` from today (UTC). */
export function inDays(days: number): string {
  return dateOf(Date.now() + days * DAY);
}

export interface ReviewCatalogOptions {
  /** email -> review_after (null: a plain email line). */
  members: Record<string, string | null>;
  onMissed?: "revoke" | "keep";
  enforce?: boolean;
}

export function reviewCatalog(o: ReviewCatalogOptions): string {
  const members = Object.entries(o.members)
    .map(([email, date]) => (date === null ? `      - ${email}` : `      - email: ${email}\n        review_after: ${date}`))
    .join("\n");
  return `resources:
  ${RESOURCE}:
    description: Read-only access to the production PostgreSQL replica
    scim:
      target: aws
      groups: [prod-db-readonly]
    duration: { default: 1h, max: 4h }
    approvers:
      users: [carol-gh, erin-gh]
      min: 1
    reason_required: true
    credential: { audience: prod-db, scopes: ["db:read"] }
    slack_channel: C0DBA00001
    enforce: ${o.enforce ?? false}
    standing_members:
${members || "      []"}
    review: { every: 90d, notice: 14d, on_missed: ${o.onMissed ?? "revoke"} }

  snowflake-analyst:
    description: Query the analytics warehouse with the ANALYST role in Snowflake
    scim:
      target: snowflake
      groups: [ANALYST]
    duration: { default: 4h, max: 1d }
    approvers:
      users: [frank-gh]
      min: 1
    reason_required: true
    standing_members: [frank@example.com]
`;
}

/** A stack on that catalog, with the standing members already in the group. */
export async function reviewStack(o: ReviewCatalogOptions, extra: StackOptions = {}): Promise<Stack> {
  const stack = await Stack.start({ ...extra, catalogText: reviewCatalog(o) });
  for (const email of Object.keys(o.members)) stack.scim.get("aws")!.addMemberDirectly("prod-db-readonly", email);
  stack.scim.get("snowflake")!.addMemberDirectly("ANALYST", "frank@example.com");
  return stack;
}

export function audits(stack: Stack, action: string): AuditRecord[] {
  // The e2e stack runs on SQLite, whose audit log iterates synchronously.
  return [...(stack.grantbot.deps.audit.all() as Iterable<AuditRecord>)].filter((r) => r.action === action);
}

export async function waitForAudit(stack: Stack, action: string, match: (data: Record<string, unknown>) => boolean = () => true, timeoutMs = 10_000): Promise<Record<string, unknown>> {
  const row = await stack.waitFor(() => audits(stack, action).find((r) => match(r.data ?? {})), timeoutMs, `audit ${action}`);
  return row.data ?? {};
}

/** The open review (kind `review`) of the resource once its PR is open. */
export async function waitForOpenReview(stack: Stack, resource = RESOURCE, notId?: string): Promise<AccessReview & { prNumber: number }> {
  const review = await stack.waitFor(async () => {
    const r = await stack.grantbot.deps.reviews.openReviewOf(resource);
    return r && r.state === "open" && r.prNumber !== null && r.id !== notId ? r : null;
  }, 10_000, `an open review PR of ${resource}`);
  return review as AccessReview & { prNumber: number };
}

export function catalogAt(stack: Stack, ref: string): string {
  const text = stack.github.fileAt(ref, "grants/catalog.yaml");
  if (text === null) throw new Error(`no catalog at ${ref}`);
  return text;
}

/** A reviewer's edit of the review PR: a new commit on its branch (returns the new head sha). */
export function pushCatalog(stack: Stack, review: AccessReview, text: string): string {
  return stack.github.pushToBranch(review.branch, { "grants/catalog.yaml": text }, { message: "reviewer edit", by: "carol-gh" });
}

/** Deletes members' lines on the review PR's branch, as a reviewer removing them would. */
export function deleteOnBranch(stack: Stack, review: AccessReview, emails: string[]): string {
  const text = editStandingMembers(catalogAt(stack, review.branch), RESOURCE, { moves: new Map(), removals: new Set(emails) });
  return pushCatalog(stack, review, text);
}

/** Approves the PR's head as `login` and merges it (signed webhook). */
export async function approveAndMerge(stack: Stack, pr: number, login = "carol-gh", headSha?: string): Promise<void> {
  stack.approve(pr, login, headSha);
  const res = await stack.merge(pr, login);
  if (res.status !== 202) throw new Error(`merge webhook answered ${res.status}`);
}
