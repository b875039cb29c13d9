import { describe, expect, it } from "vitest";
import { USAGE, editDistance, parseSlashCommand } from "../../src/domain/slash-command.ts";

const RESOURCES = ["prod-db-readonly", "snowflake-analyst", "break-glass-admin"];

describe("/access with a word that is neither a subcommand nor a resource", () => {
  it.each([
    ["lsit", "`lsit` is not a subcommand; did you mean `/access list`?"],
    ["relese 01JD2S3K7Q8R9T0V1W2X3Y4Z5A", "`relese` is not a subcommand; did you mean `/access release`?"],
    ["extnd 01JD2S3K7Q8R9T0V1W2X3Y4Z5A 1h", "`extnd` is not a subcommand; did you mean `/access extend`?"],
    ["hlep", "`hlep` is not a subcommand; did you mean `/access help`?"],
    ["prod-db-readonyl", "`prod-db-readonyl` is not a subcommand or a resource; did you mean `prod-db-readonly`?"],
    ["frobnicate", "`frobnicate` is not a subcommand or a resource (resources: break-glass-admin, prod-db-readonly, snowflake-analyst)"],
  ])("answers %j with a hint and the full usage", (text, message) => {
    expect(parseSlashCommand(text, { resources: RESOURCES })).toEqual({ kind: "error", message, usage: USAGE });
  });

  it("leaves a full request for an unknown resource to the policy check, which lists the resources", () => {
    expect(parseSlashCommand("no-such-db 1h INC-1", { resources: RESOURCES })).toMatchObject({ kind: "request", resource: "no-such-db" });
  });

  it("still parses requests for known resources and every subcommand", () => {
    expect(parseSlashCommand("prod-db-readonly 1h INC-1", { resources: RESOURCES })).toMatchObject({ kind: "request" });
    expect(parseSlashCommand("list", { resources: RESOURCES })).toEqual({ kind: "list" });
  });

  it.each([
    ["list", "list", 0],
    ["lsit", "list", 1],
    ["relase", "release", 1],
    ["", "help", 4],
    ["kitten", "sitting", 3],
  ])("measures the edit distance from %j to %j as %i", (a, b, d) => {
    expect(editDistance(a, b)).toBe(d);
  });
});
