/**
 * Builds one ScimGroupDirectory per SCIM target of GRANTBOT_CONFIG.
 */
import type { ScimTargetConfig as ConfiguredTarget } from "../../config/types.ts";
import { AppError } from "../../domain/errors.ts";
import type { ScimLog } from "./membership-changes.ts";
import type { AccessTargets } from "../../services/ports/index.ts";
import { SCIM_PROFILE_NAMES } from "./profiles.ts";
import { ScimGroupDirectory } from "./scim-group-directory.ts";

/**
 * What the client needs to connect to one configured target (config/types.ts ScimTargetConfig):
 * the token revealed, the timeout and `max_concurrency` optional (client defaults: 10 s, 8).
 */
export type ScimTargetConnection = Pick<ConfiguredTarget, "name" | "url" | "profile"> & Partial<Pick<ConfiguredTarget, "timeoutMs" | "maxConcurrency">> & { token: string };

export interface ScimDirectoriesOptions {
  fetch?: typeof fetch;
  userAgent?: string;
  now?: () => number;
  log?: ScimLog;
}

/** The targets of a loaded Config, tokens revealed, every per-target setting carried over. */
export function scimTargetsFromConfig(targets: readonly ConfiguredTarget[]): ScimTargetConnection[] {
  return targets.map((t) => ({ name: t.name, url: t.url, token: t.token.reveal(), profile: t.profile, timeoutMs: t.timeoutMs, maxConcurrency: t.maxConcurrency }));
}

export interface ScimGroupDirectories extends AccessTargets {
  get(target: string): ScimGroupDirectory;
}

export function createGroupDirectories(targets: readonly ScimTargetConnection[], options: ScimDirectoriesOptions = {}): ScimGroupDirectories {
  const directories = new Map<string, ScimGroupDirectory>();
  for (const target of targets) {
    if (directories.has(target.name)) {
      throw new AppError("config_invalid", `SCIM target ${target.name} is defined twice`);
    }
    if (!(SCIM_PROFILE_NAMES as readonly string[]).includes(target.profile)) {
      throw new AppError(
        "config_invalid",
        `SCIM target ${target.name}: unknown profile ${String(target.profile)} (one of ${SCIM_PROFILE_NAMES.join(", ")})`,
      );
    }
    directories.set(
      target.name,
      new ScimGroupDirectory({
        name: target.name,
        baseUrl: target.url,
        token: target.token,
        profile: target.profile,
        ...(target.timeoutMs === undefined ? {} : { timeoutMs: target.timeoutMs }),
        ...(target.maxConcurrency === undefined ? {} : { maxConcurrency: target.maxConcurrency }),
        ...options,
      }),
    );
  }
  return {
    get(target: string): ScimGroupDirectory {
      const directory = directories.get(target);
      if (!directory) {
        const known = [...directories.keys()].join(", ") || "none";
        throw new AppError("config_invalid", `unknown SCIM target ${target} (configured: ${known})`);
      }
      return directory;
    },
    names: () => [...directories.keys()],
  };
}
