/**
 * The leaver part of `grantbot demo`: a directory (a local SCIM server, polled every 2 s) marks a
 * person with an active grant inactive; grantbot revokes and verifies, and the manager's
 * confirmation is printed as Slack shows it.
 */
import type { CliIO } from "../cli/io.ts";
import type { Grant } from "../domain/grant.ts";
import { ScimTestServer } from "./stand-ins.ts";
import { DemoWorld, demoPeople, OPS_CHANNEL, type DemoPerson } from "./world.ts";

const DIRECTORY_TOKEN = "demo-directory-scim-token-0123456789";
/** Who reports to whom in the demo directory (erin has no manager). */
const MANAGERS: Record<string, string> = {
  "alice@example.com": "dave@example.com",
  "bob@example.com": "dave@example.com",
  "carol@example.com": "erin@example.com",
  "dave@example.com": "erin@example.com",
  "frank@example.com": "erin@example.com",
};

/** A source-of-truth directory holding the people of grants/people.yaml, their groups and managers. */
async function startDirectory(): Promise<ScimTestServer> {
  const server = await ScimTestServer.start({ token: DIRECTORY_TOKEN, pageSize: 4 });
  for (const p of demoPeople()) {
    server.createUser({ userName: p.email, displayName: p.email.split("@")[0]!.replace(/^./, (c) => c.toUpperCase()), groups: p.groups ?? [] });
  }
  for (const [email, manager] of Object.entries(MANAGERS)) server.store.requireUser(email).managerId = server.store.requireUser(manager).id;
  return server;
}

/** `person` requests `text` by slash command; carol-gh approves and merges; waits until it is active. */
export async function activeGrant(world: DemoWorld, person: DemoPerson, text: string): Promise<Grant> {
  await world.slash(text, person.slack);
  const requested = await world.waitFor(() => world.latestGrantOf(person.email), 5000, "the request");
  const pr = (await world.waitForGrant(requested.id, ["pr_open"])).prNumber!;
  await world.approve(pr, "carol-gh");
  await world.merge(pr, "carol-gh");
  return world.waitForGrant(requested.id, ["active"]);
}

export async function runLeaverDemo(io: CliIO, say: (text: string) => void): Promise<boolean> {
  const directory = await startDirectory();
  let world: DemoWorld | null = null;
  try {
    say("LEAVER: starting grantbot with a source-of-truth directory (a local SCIM server, polled every 2s)…");
    world = await DemoWorld.start({
      configExtra: `directory:\n  url: ${directory.url}\n  token: \${DIRECTORY_SCIM_TOKEN}\n  poll_interval: 2s\n`,
      env: { DIRECTORY_SCIM_TOKEN: DIRECTORY_TOKEN },
    });
    const w = world;
    const alice = w.person("alice");
    const dave = w.person("dave");
    const grant = await activeGrant(w, alice, "prod-db-readonly 1h INC-4242 replica lag again");
    const token = await w.waitFor(() => w.credentialToken(grant.id), 5000, "credential DM");
    say(`  alice's grant ${grant.id} is active; prod-db-readonly members: ${w.members("aws", "prod-db-readonly").join(", ")}; her manager in the directory is ${dave.email}`);

    const leftAt = Date.now();
    directory.setActive(alice.email, false);
    say("  the directory marks alice inactive (active: false); grantbot's next poll sees it…");
    await w.waitFor(() => !w.members("aws", "prod-db-readonly").includes(alice.email), 15_000, "membership removed");
    say(`  access removed and verified ${Date.now() - leftAt} ms after the change (poll interval included); grant state: ${(await w.grant(grant.id)).state} (${(await w.grant(grant.id)).endReason})`);
    say(`  introspection of alice's credential: active=${String((await w.introspect(token)).active)}`);
    const confirmation = await w.waitFor(() => w.slack.dmsTo(dave.slack).map((m) => m.text).find((t) => t.includes("Offboarding complete")), 10_000, "manager confirmation");
    say("  DM to her manager dave:");
    for (const line of confirmation.split("\n")) io.stdout(`      ${line}\n`);
    const opsPosted = () => w.slack.messages(OPS_CHANNEL).some((m) => m.text.includes("Offboarding complete"));
    const ops = await w.waitFor(opsPosted, 5000, "ops summary").catch(() => false);
    say(`  same summary posted to the ops channel: ${ops ? "yes" : "no"}`);
    return ops;
  } finally {
    await world?.stop();
    await directory.close();
  }
}
