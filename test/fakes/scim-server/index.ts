/** The SCIM test server lives with the demo (src/demo/scim-server); tests use the same code. */
export * from "../../../src/demo/scim-server/index.ts";
