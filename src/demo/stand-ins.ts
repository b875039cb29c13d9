/**
 * The local stand-ins `grantbot demo` starts: a fake Slack Web API, a stateful fake GitHub and
 * SCIM 2.0 servers (scimmy). Never used by `serve`; the tests use the same code through
 * test/fakes.
 */
export { FakeGitHub } from "./fake-github/index.ts";
export { ScimTestServer } from "./scim-server/index.ts";
export { FakeSlack, type FakeMessage } from "./fake-slack/index.ts";
