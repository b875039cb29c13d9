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
  standing_members: z.array(lowerEmailSchema).default([]),
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

export const grantFileSchema = z.strictObject({
  id: z.string().regex(ULID_RE, "grant ids are ULIDs (26 characters, Crockford base32)"),
  resource: resourceIdSchema,
  subject: lowerEmailSchema,
  requester: lowerEmailSchema,
  duration: shortDurationSchema,
  reason: z.string().max(1000),
  requested_at: z.iso.datetime({ offset: true, message: "an RFC 3339 time such as 2026-11-22T10:00:00Z" }),
  extends: z.string().regex(ULID_RE, "the id of the grant this one extends").optional(),
  /** For service identities: the human who owns the subject (reported as orphaned when they leave). */
  owner: lowerEmailSchema.optional(),
});

export type Catalog = z.infer<typeof catalogSchema>;
export type CatalogResource = Catalog["resources"][string];
export type People = z.infer<typeof peopleSchema>;
export type Person = z.infer<typeof personSchema>;
export type GrantFile = z.infer<typeof grantFileSchema>;
