/**
 * The local stand-ins `grantbot demo` starts: a fake Slack Web API, a stateful fake GitHub and
 * SCIM 2.0 servers (scimmy). Never used by `serve`.
 *
 * PENDING MOVE: the fake GitHub and the SCIM test server still live under test/fakes (they are
 * being changed there) and the package does not ship test/, so `grantbot demo` from an installed
 * package fails until they move under src/demo. These two lines are the only imports from src
 * into test/ that test/unit/architecture-rules.ts allows (PENDING_DEMO_MOVES).
 */
export { FakeGitHub } from "../../test/fakes/fake-github/index.ts";
export { ScimTestServer } from "../../test/fakes/scim-server/index.ts";
export { FakeSlack, type FakeMessage } from "./fake-slack/index.ts";
