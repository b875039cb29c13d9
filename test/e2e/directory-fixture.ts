/**
 * A source-of-truth directory for e2e tests and the demo: a scimmy SCIM server seeded with the
 * people of grants/people.yaml (their `groups` as directory groups, managers from `MANAGERS`),
 * the GRANTBOT_CONFIG `directory` section pointing at it, and helpers to push signed events.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { join } from "node:path";
import { parse } from "yaml";
import { signDirectoryEvent } from "../../src/adapters/http/directory-hook.ts";
import { ScimTestServer } from "../fakes/scim-server/index.ts";
import type { Stack, StackOptions, StackPerson } from "./stack.ts";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
export const DIRECTORY_SECRET = "e2e-directory-push-secret-0123456789";
export const DIRECTORY_TOKEN = "e2e-directory-scim-token-0123456789";

/** Who reports to whom in the test directory (erin has no manager). */
export const MANAGERS: Record<string, string> = {
  "alice@example.com": "dave@example.com",
  "bob@example.com": "dave@example.com",
  "carol@example.com": "erin@example.com",
  "dave@example.com": "erin@example.com",
  "frank@example.com": "erin@example.com",
};

export interface TestDirectory {
  server: ScimTestServer;
  /** Stack options: the directory section (plus `extraConfig` lines), its token and the push secret. */
  stackOptions(extraConfig?: string, push?: boolean): Pick<StackOptions, "configExtra" | "env">;
}

export async function startDirectory(): Promise<TestDirectory> {
  const people = (parse(readFileSync(join(ROOT, "grants/people.yaml"), "utf8")) as { people: StackPerson[] }).people;
  const server = await ScimTestServer.start({ token: DIRECTORY_TOKEN, pageSize: 4 });
  for (const p of people) {
    server.createUser({ userName: p.email, displayName: p.email.split("@")[0]!.replace(/^./, (c) => c.toUpperCase()), groups: p.groups ?? [] });
  }
  for (const [email, manager] of Object.entries(MANAGERS)) server.store.requireUser(email).managerId = server.store.requireUser(manager).id;
  return {
    server,
    stackOptions: (extraConfig = "", push = true) => ({
      configExtra: `directory:\n  url: ${server.url}\n  token: \${DIRECTORY_SCIM_TOKEN}\n  poll_interval: 5m\n${extraConfig}`,
      env: { DIRECTORY_SCIM_TOKEN: DIRECTORY_TOKEN, ...(push ? { GRANTBOT_DIRECTORY_SECRET: DIRECTORY_SECRET } : {}) },
    }),
  };
}

/** POSTs a directory event signed like an HR system would (override parts to test rejections). */
export async function pushDirectoryEvent(
  stack: Stack,
  event: Record<string, unknown>,
  opts: { secret?: string; timestampSec?: number; body?: string; signature?: string | null } = {},
): Promise<{ status: number; body: Record<string, unknown>; send: () => Promise<{ status: number; body: Record<string, unknown> }> }> {
  const body = opts.body ?? JSON.stringify(event);
  const ts = opts.timestampSec ?? Math.floor(Date.now() / 1000);
  const headers: Record<string, string> = { "content-type": "application/json", "x-grantbot-timestamp": String(ts) };
  const signature = opts.signature === undefined ? signDirectoryEvent(opts.secret ?? DIRECTORY_SECRET, ts, body) : opts.signature;
  if (signature !== null) headers["x-grantbot-signature"] = signature;
  const send = async () => {
    const res = await fetch(`${stack.url}/hooks/directory`, { method: "POST", headers, body });
    return { status: res.status, body: (await res.json().catch(() => ({}))) as Record<string, unknown> };
  };
  return { ...(await send()), send };
}
