/**
 * The names of the SCIM vendor profiles (quirks of a provider: filters, paging, PATCH shapes).
 * One list, used by the config schema (what GRANTBOT_CONFIG accepts) and by the SCIM adapter
 * (adapters/scim/profiles.ts: what each profile does).
 */
export const SCIM_PROFILE_NAMES = ["generic", "aws-identity-center", "google", "github-emu", "slack", "entra"] as const;
export type ScimProfileName = (typeof SCIM_PROFILE_NAMES)[number];
