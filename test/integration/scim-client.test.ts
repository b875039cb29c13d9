/**
 * The SCIM client (ScimGroupDirectory) against a real SCIM 2.0 server (scimmy), in the generic
 * profile and in the AWS IAM Identity Center emulation, through the AccessTarget contract.
 */
import { ScimGroupDirectory } from "../../src/adapters/scim/index.ts";
import type { ScimProfileName } from "../../src/adapters/scim/index.ts";
import { ScimTestServer, type ServerProfile } from "../fakes/scim-server/index.ts";
import { groupDirectoryContract, type GroupDirectoryFixture } from "./scim-group-directory.contract.ts";

async function scimFixture(profile: ServerProfile & ScimProfileName): Promise<GroupDirectoryFixture> {
  // A small server page (20) against the client's 100: listing must follow startIndex/cursor.
  const server = await ScimTestServer.start({ profile, pageSize: 20 });
  const directory = new ScimGroupDirectory({
    name: profile === "generic" ? "idp" : "aws",
    baseUrl: server.url,
    token: server.token,
    profile,
    timeoutMs: 1_000,
  });
  return {
    directory,
    seedUser: async (userName) => server.createUser({ userName }).id,
    seedGroup: async (displayName, memberIds = []) => server.createGroup(displayName, memberIds).id,
    memberUserNames: async (displayName) => server.members(displayName),
    network: {
      token: server.token,
      respondWith: (reply) => server.respondWith(reply),
      failWith: (spec) => server.failWith(spec),
      timeoutNext: (n) => server.timeoutNext(n),
      clear: () => server.clearFaults(),
    },
    close: () => server.close(),
  };
}

groupDirectoryContract("SCIM client, generic profile, scimmy server", () => scimFixture("generic"), { network: true });

groupDirectoryContract(
  "SCIM client, aws-identity-center profile, AWS-emulating scimmy server",
  () => scimFixture("aws-identity-center"),
  { network: true },
);
