/** SCIM 2.0 adapter: AccessTarget for grant targets, user reads for the directory feature. */
export { createGroupDirectories, scimTargetsFromConfig, type ScimDirectoriesOptions, type ScimGroupDirectories, type ScimTargetConnection } from "./group-directories.ts";
export { SCIM_PROFILE_NAMES, SCIM_PROFILES, scimProfile, type ScimProfile, type ScimProfileName } from "./profiles.ts";
export { DEFAULT_SCIM_TIMEOUT_MS, ScimGroupDirectory, type ScimGroupDirectoryOptions } from "./scim-group-directory.ts";
export { ScimTargetError, parseRetryAfter } from "./scim-errors.ts";
export { and, eq, normaliseUserName, quote } from "./scim-filter.ts";
export type { ListUsersOptions, ScimUser, ScimUserSource } from "./scim-users.ts";
