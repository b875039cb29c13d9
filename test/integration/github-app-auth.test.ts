import { generateKeyPairSync } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OctokitChangeRequests } from "../../src/adapters/github/change-requests.ts";
import { createOctokit } from "../../src/adapters/github/octokit.ts";
import { FakeGitHub } from "../fakes/fake-github/index.ts";

// GitHub hands out app keys as PKCS#1 PEM ("BEGIN RSA PRIVATE KEY").
const { privateKey, publicKey } = generateKeyPairSync("rsa", {
  modulusLength: 2048,
  privateKeyEncoding: { type: "pkcs1", format: "pem" },
  publicKeyEncoding: { type: "spki", format: "pem" },
});

let fake: FakeGitHub;

beforeAll(async () => {
  // Only tokens issued by the app endpoint authenticate repository calls.
  fake = await FakeGitHub.start({ tokens: [], app: { appId: "123456", publicKey, installationId: 777 } });
  fake.seed({ "grants/catalog.yaml": "resources: {}\n" });
});

afterAll(() => fake.close());

describe("GitHub App authentication", () => {
  it("fetches an installation token from the configured base URL and uses it for API calls", async () => {
    const octokit = createOctokit({ baseUrl: fake.url, auth: { kind: "app", appId: "123456", privateKey, installationId: "777" } });
    const changes = new OctokitChangeRequests({ octokit, owner: fake.owner, repo: fake.repo, baseBranch: "main" });

    expect(await changes.readFile("grants/catalog.yaml", "main")).toBe("resources: {}\n");
    await changes.readFile("grants/catalog.yaml", "main");

    const calls = fake.calls();
    expect(calls.map((c) => `${c.op} ${c.status}`)).toEqual([
      "apps/create-installation-access-token 201",
      "repos/get-content 200",
      "repos/get-content 200",
    ]);
    expect(calls[0]!.auth?.scheme).toBe("bearer");
    const [token] = fake.issuedTokens();
    expect(token).toMatch(/^ghs_/);
    expect(calls.slice(1).map((c) => c.auth)).toEqual([
      { scheme: "token", token },
      { scheme: "token", token },
    ]);
    expect(fake.validationErrors()).toEqual([]);
    expect(fake.responseValidationErrors()).toEqual([]);
  });

  it("reports a key that does not belong to the app as target_rejected", async () => {
    const other = generateKeyPairSync("rsa", { modulusLength: 2048, privateKeyEncoding: { type: "pkcs1", format: "pem" }, publicKeyEncoding: { type: "spki", format: "pem" } });
    const octokit = createOctokit({ baseUrl: fake.url, auth: { kind: "app", appId: "123456", privateKey: other.privateKey, installationId: "777" } });
    const changes = new OctokitChangeRequests({ octokit, owner: fake.owner, repo: fake.repo, baseBranch: "main" });
    const err = await changes.get(1).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: "target_rejected", retryable: false });
    expect(String((err as Error).message)).not.toMatch(/PRIVATE KEY|eyJ/);
  });

  it("rejects a non-numeric installation id as a configuration error", () => {
    expect(() => createOctokit({ baseUrl: fake.url, auth: { kind: "app", appId: "1", privateKey, installationId: "abc" } })).toThrow(
      expect.objectContaining({ code: "config_invalid" }),
    );
  });
});
