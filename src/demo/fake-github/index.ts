export { FakeGitHub, type FakeGitHubOptions } from "./fake-github.ts";
export type { RecordedCall, ValidationRecord, FailureStatus } from "./server.ts";
export type { PullRecord, ReviewState } from "./repo-state.ts";
export { OpenApiValidator } from "./openapi-validator.ts";
