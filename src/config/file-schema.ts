/**
 * Schema of the YAML file GRANTBOT_CONFIG points at. Keys are snake_case as users write them;
 * load-config.ts maps the parsed value to the camelCase `Config`. Objects are strict, so a typo
 * such as `reconcile_intervall` is reported instead of silently ignored. `${ENV_VAR}` references
 * are resolved before this schema runs (interpolate.ts).
 */
import { z } from "zod";
import { documented, durationMs, integer, matching, secretString, urlString } from "./fields.ts";

import { SCIM_PROFILE_NAMES, type ScimProfileName } from "../shared/scim-profiles.ts";

/** The profile names GRANTBOT_CONFIG accepts (one list: shared/scim-profiles.ts). */
export const SCIM_PROFILES = SCIM_PROFILE_NAMES;
export type ScimProfile = ScimProfileName;

const PROFILE_HINT = `expected one of ${SCIM_PROFILES.join(", ")}`;
const NAME_HINT = "expected a target name of letters, digits, - and _, e.g. aws";
const TOKEN_HINT = "expected a bearer token, usually written as ${ENV_VAR}";

const profile = () => z.enum(SCIM_PROFILES, { error: PROFILE_HINT });
const scimUrl = () => urlString({ scheme: "https", trailingSlash: "strip" });

const mapping = (hint: string) => ({ error: (issue: { code: string }) => (issue.code === "invalid_type" ? hint : undefined) });

const scimTarget = z.strictObject({
  name: documented(matching(/^[A-Za-z0-9][A-Za-z0-9_-]*$/, NAME_HINT), {
    description: "Name the catalog refers to (`scim.target`); unique.", required: "yes", example: "aws", hint: NAME_HINT,
  }),
  url: documented(scimUrl(), {
    description: "SCIM 2.0 base URL (https; http only for localhost).", required: "yes",
    example: "https://scim.us-east-1.amazonaws.com/abc/scim/v2", hint: "expected an https URL",
  }),
  token: documented(secretString({ hint: TOKEN_HINT }), {
    description: "Bearer token for the target.", required: "yes", example: "${AWS_SCIM_TOKEN}", secret: true, hint: TOKEN_HINT,
  }),
  profile: documented(profile(), {
    description: `Vendor quirks to apply: ${SCIM_PROFILES.join(", ")}.`, required: "yes", example: "aws-identity-center", hint: PROFILE_HINT,
  }),
  timeout: documented(durationMs().prefault("10s"), {
    description: "Timeout of one SCIM request.", required: "no", default: "10s", example: "5s", hint: "expected a duration",
  }),
  max_concurrency: documented(integer(1, 1000, "expected a whole number from 1 to 1000").default(8), {
    description: "Most requests in flight to this target at once.", required: "no", default: "8", example: "4", hint: "expected a whole number from 1 to 1000",
  }),
}, mapping("expected a mapping with name, url, token and profile"));

const directory = z.strictObject({
  url: documented(scimUrl(), {
    description: "SCIM 2.0 base URL of the source-of-truth directory (leavers, movers, managers).", required: "yes",
    example: "https://idp.example.com/scim/v2", hint: "expected an https URL",
  }),
  token: documented(secretString({ hint: TOKEN_HINT }), {
    description: "Bearer token for the directory.", required: "yes", example: "${DIRECTORY_SCIM_TOKEN}", secret: true, hint: TOKEN_HINT,
  }),
  poll_interval: documented(durationMs({ minMs: 1000 }).prefault("5m"), {
    description: "How often the directory is polled for leavers and movers.", required: "no", default: "5m", example: "60s", hint: "expected a duration",
  }),
  profile: documented(profile().default("generic"), {
    description: "Vendor quirks of the directory, as for targets.", required: "no", default: "generic", example: "entra", hint: PROFILE_HINT,
  }),
}, mapping("expected a mapping with url and token"));

export const fileSchema = z.strictObject({
  scim: documented(z.strictObject({
    targets: documented(z.array(scimTarget, { error: "expected a list of targets" }).default([]).superRefine((targets, ctx) => {
      const seen = new Map<string, number>();
      // Runs even when other fields of a target failed (`when`), so duplicates are reported too.
      targets.forEach((target: { name?: unknown } | undefined, index) => {
        const name = target?.name;
        if (typeof name !== "string") return;
        const first = seen.get(name);
        if (first === undefined) seen.set(name, index);
        else ctx.addIssue({ code: "custom", path: [index, "name"], message: `duplicate target name "${name}" (also scim.targets[${first}])` });
      });
    }, { when: (payload) => Array.isArray(payload.value) }), {
      description: "SCIM targets where grantbot manages group membership.", required: "no", default: "[]", hint: "expected a list",
    }),
  }, mapping("expected a mapping with a targets list")).prefault({}), {
    description: "SCIM settings.", required: "no", hint: "expected a mapping",
  }),
  directory: documented(directory.optional(), {
    description: "Source of truth for leavers, movers and managers; absent = no directory polling.", required: "no", hint: "expected a mapping",
  }),
  reconcile_interval: documented(durationMs().prefault("15m"), {
    description: "How often every managed group is compared with live grants.", required: "no", default: "15m", example: "1h", hint: "expected a duration",
  }),
  notify_before_expiry: documented(durationMs().prefault("10m"), {
    description: "How long before expiry the requester is reminded.", required: "no", default: "10m", example: "15m", hint: "expected a duration",
  }),
  stale_request_age: documented(durationMs().prefault("7d"), {
    description: "Age after which a request PR that is still open counts as stale.", required: "no", default: "7d", example: "3d", hint: "expected a duration",
  }),
  offboarding_pending_after: documented(durationMs().prefault("2m"), {
    description: "How long offboarding waits for verified removals before the manager gets a pending notice.", required: "no", default: "2m", example: "5m", hint: "expected a duration",
  }),
  job_retry: documented(z.strictObject({
    base: documented(durationMs().prefault("1s"), {
      description: "Delay before the first retry of a failed job.", required: "no", default: "1s", example: "2s", hint: "expected a duration",
    }),
    max: documented(durationMs().prefault("5m"), {
      description: "Longest delay between retries.", required: "no", default: "5m", example: "10m", hint: "expected a duration",
    }),
  }, mapping("expected a mapping with base and max")).prefault({}).superRefine((retry, ctx) => {
    if (retry.base > retry.max) ctx.addIssue({ code: "custom", path: ["max"], message: "must be at least job_retry.base" });
  }), {
    description: "Backoff of retried jobs (SCIM changes, DMs, PR comments).", required: "no", example: "{ base: 1s, max: 5m }", hint: "expected a mapping",
  }),
}, mapping("expected a YAML mapping at the top level"));

export type FileConfigInput = z.input<typeof fileSchema>;
export type ParsedFileConfig = z.output<typeof fileSchema>;

/** The file config when GRANTBOT_CONFIG is not set: defaults, zero targets, no directory. */
export function defaultFileConfig(): ParsedFileConfig {
  return fileSchema.parse({});
}
