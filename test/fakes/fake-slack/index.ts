/** The fake Slack Web API lives with the demo (src/demo/fake-slack); tests use the same code. */
export * from "../../../src/demo/fake-slack/index.ts";
export { messageProblems, viewProblems } from "../../../src/demo/fake-slack/limits.ts";
