/**
 * zod schemas for the files people write by hand in the grants repository:
 * `grants/catalog.yaml`, `grants/people.yaml` and `grants/<resource>/<grant-id>.yaml`.
 * Keys are exactly those of PRODUCT.md ("File formats"); objects are strict so a typo in a key
 * is reported instead of silently ignored. Pure: parsing YAML text happens in grant-yaml.ts.
 */
import { z } from "zod";
import { parseDuration, formatDuration } from "./durations.ts";

export const RESOURCE_ID_RE = /^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/;
export const ULID_RE = /^[0-9A-HJKMNP-TV-Z]{26}$/;
const GITHUB_LOGIN_RE = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$/;
const GITHUB_TEAM_RE = /^[A-Za-z0-9][A-Za-z0-9-]*\/[A-Za-z0-9][A-Za-z0-9_.-]*$/;
const SLACK_USER_RE = /^[UW][A-Z0-9]{2,}$/;
const SLACK_CHANNEL_RE = /^[CGD][A-Z0-9]{2,}$/;

export const resourceIdSchema = z
  .string()
  .regex(RESOURCE_ID_RE, "resource ids use lower-case letters, digits and dashes (e.g. prod-db-readonly)");

export const emailSchema = z.email("expected an email address such as alice@example.com").max(254);

/** An email that must already be lower-case (grant files are written by grantbot in that form). */
export const lowerEmailSchema = emailSchema.refine((v) => v === v.toLowerCase(), "emails are written in lower case");

export const durationTextSchema = z.string().superRefine((value, ctx) => {
  const parsed = parseDuration(value);
  if (!parsed.ok) ctx.addIssue({ code: "custom", message: parsed.error });
});

/** The short form grantbot writes in grant files: 90s, 30m, 4h, 1d. */
export const shortDurationSchema = durationTextSchema.refine((value) => {
  const parsed = parseDuration(value);
  return parsed.ok && formatDuration(parsed.ms) === value;
}, "grant files use the short form of a duration: 90s, 30m, 4h or 1d");

/** A calendar date, `YYYY-MM-DD` (UTC): when a standing member's membership is next due for review. */
export const reviewDateSchema = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, "a date such as 2027-03-01")
  .refine((v) => new Date(`${v}T00:00:00Z`).toISOString().slice(0, 10) === v, "not a calendar date");

/** A standing member: a plain email (backward compatible), or one with its next review date. */
export const standingMemberSchema = z.union([
  lowerEmailSchema,
  z.strictObject({ email: lowerEmailSchema, review_after: reviewDateSchema }),
], { error: "a standing member is an email, or { email, review_after: YYYY-MM-DD }" });

/** Periodic access review of a resource's standing members (services/reviews). */
export const reviewPolicySchema = z.strictObject({
  /** How far a certified member's review_after moves forward (whole days). */
  every: durationTextSchema.refine((v) => { const d = parseDuration(v); return d.ok && d.ms >= 86_400_000 && d.ms % 86_400_000 === 0; }, "every is a whole number of days, such as 90d"),
  /** How long before review_after the review PR is opened. */
  notice: durationTextSchema,
  /** A deadline passed without a merged review: remove the overdue members, or keep them and alert ops. */
  on_missed: z.enum(["revoke", "keep"]).default("keep"),
});

const resourceSchema = z.strictObject({
  description: z.string().min(1).max(300),
  scim: z.strictObject({
    target: z.string().min(1, "name a SCIM target from GRANTBOT_CONFIG"),
    groups: z.array(z.string().min(1).max(256)).min(1, "list at least one SCIM group displayName"),
  }),
  duration: z.strictObject({
    default: durationTextSchema,
    max: durationTextSchema,
    min: durationTextSchema.optional(),
  }),
  approvers: z.strictObject({
    teams: z.array(z.string().regex(GITHUB_TEAM_RE, "teams are written org/team-slug")).default([]),
    users: z.array(z.string().regex(GITHUB_LOGIN_RE, "users are GitHub logins")).default([]),
    min: z.number().int().min(1).max(10).default(1),
  }),
  eligible: z.array(z.string().min(1)).optional(),
  reason_required: z.boolean().default(true),
  credential: z
    .strictObject({
      audience: z.string().min(1),
      scopes: z.array(z.string().regex(/^[\x21\x23-\x5B\x5D-\x7E]+$/, "scopes are single words (no spaces or quotes)")).default([]),
    })
    .optional(),
  slack_channel: z.string().regex(SLACK_CHANNEL_RE, "a Slack channel id such as C0DBA00001").optional(),
  enforce: z.boolean().default(false),
  /** Emergency access: active at once, reviewed after the fact (README "Break-glass access"). */
  breakglass: z
    .strictObject({
      /** An emergency grant lasts at most this (a longer ask is refused, never shortened). */
      max: durationTextSchema,
      /** The PR must be merged with valid approvals within this, counted from activation. */
      review_within: durationTextSchema,
      /** Who is alerted besides the ops channel. */
      channels: z.array(z.string().regex(SLACK_CHANNEL_RE, "a Slack channel id such as C0SEC00001")).optional(),
    })
    .optional(),
  standing_members: z.array(standingMemberSchema).default([]),
  review: reviewPolicySchema.optional(),
})
  .superRefine((r, ctx) => {
    const def = parseDuration(r.duration.default);
    const max = parseDuration(r.duration.max);
    const min = r.duration.min === undefined ? undefined : parseDuration(r.duration.min);
    if (def.ok && max.ok && def.ms > max.ms) {
      ctx.addIssue({ code: "custom", path: ["duration", "default"], message: `default ${r.duration.default} is above max ${r.duration.max}` });
    }
    if (min?.ok && max.ok && min.ms > max.ms) {
      ctx.addIssue({ code: "custom", path: ["duration", "min"], message: `min ${r.duration.min} is above max ${r.duration.max}` });
    }
    if (min?.ok && def.ok && def.ms < min.ms) {
      ctx.addIssue({ code: "custom", path: ["duration", "default"], message: `default ${r.duration.default} is below min ${r.duration.min}` });
    }
    checkStandingMembers(r, ctx);
    if (r.approvers.teams.length === 0 && r.approvers.users.length === 0) {
      ctx.addIssue({ code: "custom", path: ["approvers"], message: "name at least one approver team or user" });
    }
    if (r.approvers.teams.length === 0 && r.approvers.users.length < r.approvers.min) {
      ctx.addIssue({
        code: "custom",
        path: ["approvers", "min"],
        message: `min ${r.approvers.min} approvals can never be reached with ${r.approvers.users.length} listed user(s) and no team`,
      });
    }
  });

/** Standing members: each email once; a review date only where the resource has a review policy; notice shorter than every. */
function checkStandingMembers(r: { standing_members: z.output<typeof standingMemberSchema>[]; review?: z.output<typeof reviewPolicySchema> | undefined }, ctx: z.RefinementCtx): void {
  const seen = new Set<string>();
  r.standing_members.forEach((m, i) => {
    const email = typeof m === "string" ? m : m.email;
    if (seen.has(email)) ctx.addIssue({ code: "custom", path: ["standing_members", i], message: `${email} is listed twice` });
    seen.add(email);
    if (typeof m !== "string" && !r.review) {
      ctx.addIssue({ code: "custom", path: ["standing_members", i, "review_after"], message: "review_after needs a review policy on the resource: review: { every: 90d, notice: 14d, on_missed: keep }" });
    }
  });
  const every = r.review ? parseDuration(r.review.every) : null;
  const notice = r.review ? parseDuration(r.review.notice) : null;
  if (every?.ok && notice?.ok && notice.ms >= every.ms) {
    ctx.addIssue({ code: "custom", path: ["review", "notice"], message: `notice ${r.review!.notice} must be shorter than every ${r.review!.every}` });
  }
}

export const catalogSchema = z.strictObject({
  resources: z.record(resourceIdSchema, resourceSchema),
});

export const personSchema = z.strictObject({
  email: lowerEmailSchema,
  github: z.string().regex(GITHUB_LOGIN_RE, "a GitHub login"),
  slack: z.string().regex(SLACK_USER_RE, "a Slack user id such as U0ALICE0001").optional(),
  /** Optional directory groups used for `eligible` when no directory is configured. */
  groups: z.array(z.string().min(1)).optional(),
});

export const peopleSchema = z.strictObject({
  people: z.array(personSchema),
});

/** Names of the characters a reason may not contain, for the message that names the one found. */
const INVISIBLE_NAMES: Readonly<Record<number, string>> = {
  0x00: "NULL", 0x07: "BELL", 0x08: "BACKSPACE", 0x0b: "LINE TABULATION", 0x0c: "FORM FEED", 0x0d: "CARRIAGE RETURN",
  0x1b: "ESCAPE", 0x7f: "DELETE", 0x85: "NEXT LINE",
  0x061c: "ARABIC LETTER MARK", 0x200e: "LEFT-TO-RIGHT MARK", 0x200f: "RIGHT-TO-LEFT MARK",
  0x202a: "LEFT-TO-RIGHT EMBEDDING", 0x202b: "RIGHT-TO-LEFT EMBEDDING", 0x202c: "POP DIRECTIONAL FORMATTING",
  0x202d: "LEFT-TO-RIGHT OVERRIDE", 0x202e: "RIGHT-TO-LEFT OVERRIDE",
  0x2066: "LEFT-TO-RIGHT ISOLATE", 0x2067: "RIGHT-TO-LEFT ISOLATE", 0x2068: "FIRST STRONG ISOLATE", 0x2069: "POP DIRECTIONAL ISOLATE",
  0x2028: "LINE SEPARATOR", 0x2029: "PARAGRAPH SEPARATOR",
};

/**
 * Control characters (Unicode Cc) other than newline and tab, the bidirectional embeddings,
 * overrides and isolates (U+202A–U+202E, U+2066–U+2069), the direction marks (U+200E, U+200F,
 * U+061C) and the line/paragraph separators. A reason is shown to reviewers in the PR, the grant
 * file and Slack; these characters are invisible there and can make the text read differently
 * from what it is ("Trojan Source"). Letters of any script, emoji (zero-width joiners included),
 * punctuation, newlines and tabs are fine.
 */
const INVISIBLE_IN_REASON = /(?![\n\t])[\p{Cc}\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069\u2028\u2029]/u;

/**
 * Why `reason` cannot be used, as a sentence with the next step, or null when it can. The one
 * reason rule of every entry point: the slash command, the request form, the request service and
 * the grant file schema (so `grantbot validate` refuses a hand-edited file too).
 */
export function reasonProblem(reason: string): string | null {
  const found = INVISIBLE_IN_REASON.exec(reason)?.[0];
  if (found === undefined) return null;
  const code = found.codePointAt(0)!;
  const name = INVISIBLE_NAMES[code] ?? "CONTROL CHARACTER";
  return `the reason contains an invisible control character (U+${code.toString(16).toUpperCase().padStart(4, "0")} ${name}); remove it and try again`;
}

const reasonSchema = z.string().max(1000).superRefine((value, ctx) => {
  const problem = reasonProblem(value);
  if (problem !== null) ctx.addIssue({ code: "custom", message: problem });
});

export const grantFileSchema = z.strictObject({
  id: z.string().regex(ULID_RE, "grant ids are ULIDs (26 characters, Crockford base32)"),
  resource: resourceIdSchema,
  subject: lowerEmailSchema,
  requester: lowerEmailSchema,
  duration: shortDurationSchema,
  reason: reasonSchema,
  requested_at: z.iso.datetime({ offset: true, message: "an RFC 3339 time such as 2026-11-22T10:00:00Z" }),
  extends: z.string().regex(ULID_RE, "the id of the grant this one extends").optional(),
  /** Only on break-glass grants (branch breakglass/<id>, reviewed after the fact). */
  emergency: z.literal(true, "emergency is either true (a break-glass grant) or absent").optional(),
  /** For service identities: the human who owns the subject (reported as orphaned when they leave). */
  owner: lowerEmailSchema.optional(),
});

export type Catalog = z.infer<typeof catalogSchema>;
export type CatalogResource = Catalog["resources"][string];
export type StandingMemberEntry = z.output<typeof standingMemberSchema>;
export type ReviewPolicy = z.output<typeof reviewPolicySchema>;
export type People = z.infer<typeof peopleSchema>;
export type Person = z.infer<typeof personSchema>;
export type GrantFile = z.infer<typeof grantFileSchema>;
