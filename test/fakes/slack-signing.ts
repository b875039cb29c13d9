/** Signed Slack requests live with the demo (src/demo/slack-signing.ts); tests use the same code. */
export * from "../../src/demo/slack-signing.ts";
