/** Public API of src/config: `loadConfig(env)` -> frozen `Config`, `ConfigError`, `Secret`. */
export { ConfigError, deepFreeze, loadConfig, pickEnv, type ReadFile } from "./load-config.ts";
export { defaultConfigFile, loadConfigFile, parseConfigFile, type FileResult } from "./config-file.ts";
export { createEnvSchema, ENV_VARS, LOG_LEVELS, type LogLevel, type ParsedEnv } from "./env-schema.ts";
export { fileSchema, SCIM_PROFILES, type ScimProfile } from "./file-schema.ts";
export { renderConfigReference } from "./reference.ts";
export { isSecret, REDACTED, Secret } from "./secret.ts";
export { decodeKeyEncryptionKey, keyEncryptionKeyBytes, KEY_ENCRYPTION_KEY_BYTES } from "./database-fields.ts";
export type { Config, DatabaseConfig, DirectoryConfig, FileConfig, GitHubAuth, GitHubConfig, ScimTargetConfig, SlackConfig } from "./types.ts";
