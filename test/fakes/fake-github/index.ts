/** The fake GitHub lives with the demo (src/demo/fake-github); tests use the same code. */
export * from "../../../src/demo/fake-github/index.ts";
