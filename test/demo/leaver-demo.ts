/**
 * The leaver part of `npm run demo`: a directory (a local SCIM server, polled every 2 s) marks a
 * person with an active grant inactive; grantbot revokes and verifies, and the manager's
 * confirmation is printed as Slack shows it.
 */
import type { CliIO } from "../../src/cli.ts";
import { startDirectory } from "../e2e/directory-fixture.ts";
import { activeGrant } from "../e2e/flows.ts";
import { OPS_CHANNEL, Stack } from "../e2e/stack.ts";

export async function runLeaverDemo(io: CliIO, say: (text: string) => void): Promise<boolean> {
  const directory = await startDirectory();
  let stack: Stack | null = null;
  try {
    say("LEAVER: starting grantbot with a source-of-truth directory (a local SCIM server, polled every 2s)…");
    const options = directory.stackOptions().configExtra!.replace("poll_interval: 5m", "poll_interval: 2s");
    stack = await Stack.start({ ...directory.stackOptions(), configExtra: options });
    const alice = stack.person("alice");
    const dave = stack.person("dave");
    const grant = await activeGrant(stack, alice.slack, "prod-db-readonly 1h INC-4242 replica lag again");
    const token = await stack.waitFor(() => stack!.credentialToken(grant.id), 5000, "credential DM");
    say(`  alice's grant ${grant.id} is active; prod-db-readonly members: ${stack.members("aws", "prod-db-readonly").join(", ")}; her manager in the directory is ${dave.email}`);

    const leftAt = Date.now();
    directory.server.setActive(alice.email, false);
    say("  the directory marks alice inactive (active: false); grantbot's next poll sees it…");
    await stack.waitFor(() => !stack!.members("aws", "prod-db-readonly").includes(alice.email), 15_000, "membership removed");
    say(`  access removed and verified ${Date.now() - leftAt} ms after the change (poll interval included); grant state: ${stack.grant(grant.id).state} (${stack.grant(grant.id).endReason})`);
    say(`  introspection of alice's credential: active=${String((await stack.introspect(token)).body.active)}`);
    const confirmation = await stack.waitFor(() => stack!.slack.dmsTo(dave.slack).map((m) => m.text).find((t) => t.includes("Offboarding complete")), 10_000, "manager confirmation");
    say("  DM to her manager dave:");
    for (const line of confirmation.split("\n")) io.stdout(`      ${line}\n`);
    const opsPosted = () => stack!.slack.messages(OPS_CHANNEL).some((m) => m.text.includes("Offboarding complete"));
    const ops = await stack.waitFor(opsPosted, 5000, "ops summary").catch(() => false);
    say(`  same summary posted to the ops channel: ${ops ? "yes" : "no"}`);
    return ops;
  } finally {
    await stack?.stop();
    await directory.server.close();
  }
}
