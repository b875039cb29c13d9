/**
 * Start-up lookups of the catalog's SCIM groups (services/warm-group-lookups.ts) against real
 * SCIM test servers: every group looked up once, the ids cached so the first removals go straight
 * to their PATCH, a group the target lacks reported, an unreachable target only logged.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createGroupDirectories } from "../../src/adapters/scim/group-directories.ts";
import type { Log } from "../../src/services/ports/index.ts";
import { parsePolicy, StaticPolicyProvider } from "../../src/services/policy/policy-provider.ts";
import { warmGroupLookups } from "../../src/services/targets/warm-group-lookups.ts";
import { ScimTestServer } from "../fakes/scim-server/index.ts";

const ROOT = new URL("../..", import.meta.url).pathname;
const policy = new StaticPolicyProvider(parsePolicy(readFileSync(join(ROOT, "grants/catalog.yaml"), "utf8"), readFileSync(join(ROOT, "grants/people.yaml"), "utf8")));

describe("catalog group lookups at start-up", () => {
  let aws: ScimTestServer;
  let snowflake: ScimTestServer;
  beforeAll(async () => {
    aws = await ScimTestServer.start();
    snowflake = await ScimTestServer.start();
    aws.createGroup("prod-db-readonly");
    aws.createGroup("AWSAdministratorAccess-breakglass");
    // snowflake has no ANALYST group; okta is not reachable at all.
  });
  afterAll(async () => {
    await Promise.all([aws.close(), snowflake.close()]);
  });

  it("looks every catalog group up once, caches the ids, and reports what is missing or unreachable", async () => {
    const targets = createGroupDirectories([
      { name: "aws", url: `${aws.url}/`, token: aws.token, profile: "generic" },
      { name: "snowflake", url: `${snowflake.url}/`, token: snowflake.token, profile: "generic" },
      { name: "okta", url: "http://127.0.0.1:9/scim/v2/", token: "okta-token-0123456789", profile: "generic", timeoutMs: 500 },
    ]);
    const logged: { level: string; msg: string; obj: Record<string, unknown> }[] = [];
    const log: Log = {
      debug() {},
      info() {},
      warn: (obj, msg) => void logged.push({ level: "warn", msg, obj }),
      error: (obj, msg) => void logged.push({ level: "error", msg, obj }),
      child: () => log,
    };

    const result = await warmGroupLookups({ policy, targets, log });

    expect(result).toEqual({ found: 2, missing: ["snowflake/ANALYST"] });
    expect(logged.filter((l) => l.level === "warn").map((l) => l.obj.target)).toEqual(["okta"]);
    expect(logged.find((l) => l.level === "error")?.obj).toEqual({ missing: ["snowflake/ANALYST"] });
    // The ids are cached: the removals that follow read no group by name again.
    aws.clearRequests();
    expect(await targets.get("aws").findGroup("prod-db-readonly")).toMatchObject({ displayName: "prod-db-readonly" });
    expect(aws.requests()).toEqual([]);
  });
});
