/**
 * Failure cases of the AccessTarget contract for implementations that talk HTTP: how replies
 * and outages map to AppError codes, and that the bearer token never leaks into an error.
 */
import { afterAll, expect, it } from "vitest";
import { AppError } from "../../src/domain/errors.ts";
import type { GroupDirectoryFixture } from "./scim-group-directory.contract.ts";

export type Matcher = (method: string, path: string) => boolean;

export interface NetworkFaults {
  /** The bearer token the directory sends. */
  token: string;
  respondWith(reply: { status: number; body?: unknown; headers?: Record<string, string>; match?: Matcher }): void;
  failWith(spec: { status: number; retryAfter?: string; scimType?: string; detail?: string; match?: Matcher }): void;
  /** The next `n` requests hang until the client gives up. */
  timeoutNext(n: number): void;
  clear(): void;
}

const isPatch: Matcher = (method) => method === "PATCH";

export function groupDirectoryFailureCases(
  fixture: () => GroupDirectoryFixture,
  groupWith: (...userNames: string[]) => Promise<{ displayName: string; groupId: string; ids: string[] }>,
): void {
  const seen: unknown[] = [];
  /** Runs `call`, expects it to fail, remembers the error for the token check. */
  async function failure(call: () => Promise<unknown>): Promise<AppError & Record<string, unknown>> {
    const error = await call().then(
      () => {
        throw new Error("expected the call to fail");
      },
      (e: unknown) => e,
    );
    seen.push(error);
    expect(error).toBeInstanceOf(AppError);
    return error as AppError & Record<string, unknown>;
  }
  const net = () => fixture().network as NetworkFaults;
  const dir = () => fixture().directory;

  it("treats both a 204 and a 200-with-body reply to a PATCH as success", async () => {
    const { groupId, displayName } = await groupWith();
    const userId = await fixture().seedUser(`${displayName}-u@example.com`);
    net().respondWith({ status: 204, match: isPatch });
    await expect(dir().addMember(groupId, userId)).resolves.toBeUndefined();
    net().respondWith({
      status: 200,
      match: isPatch,
      headers: { "content-type": "application/scim+json" },
      body: { schemas: ["urn:ietf:params:scim:schemas:core:2.0:Group"], id: groupId, displayName, members: [{ value: userId }] },
    });
    await expect(dir().removeMember(groupId, userId)).resolves.toBeUndefined();
  });

  it("reports a 503 as target_unavailable, which is retryable", async () => {
    const { groupId, ids } = await groupWith(`${Math.random().toString(36).slice(2)}@example.com`);
    net().failWith({ status: 503 });
    const error = await failure(() => dir().removeMember(groupId, ids[0] as string));
    expect(error.code).toBe("target_unavailable");
    expect(error.retryable).toBe(true);
  });

  it("passes on Retry-After of a 429 as retryAfterMs", async () => {
    net().failWith({ status: 429, retryAfter: "7" });
    const error = await failure(() => dir().findUser("someone@example.com"));
    expect(error.code).toBe("target_unavailable");
    expect(error.retryAfterMs).toBe(7000);
  });

  it("reports a target that does not answer in time as target_unavailable", async () => {
    const { groupId, ids } = await groupWith(`${Math.random().toString(36).slice(2)}@example.com`);
    net().timeoutNext(1);
    const error = await failure(() => dir().isMember(groupId, ids[0] as string));
    expect(error.code).toBe("target_unavailable");
    expect(error.retryable).toBe(true);
  });

  it("reports a SCIM 400 error as target_rejected with its scimType and detail", async () => {
    const { groupId } = await groupWith();
    net().failWith({ status: 400, scimType: "invalidValue", detail: "member is suspended" });
    const error = await failure(() => dir().addMember(groupId, "some-user-id"));
    expect(error.code).toBe("target_rejected");
    expect(error.retryable).toBe(false);
    expect(error.message).toMatch(/^SCIM target \S+: 400 invalidValue: member is suspended/);
  });

  it("reports a reply that is not JSON as bad_input naming the target", async () => {
    net().respondWith({ status: 200, body: "{not json", headers: { "content-type": "application/scim+json" } });
    const error = await failure(() => dir().findGroup("anything"));
    expect(error.code).toBe("bad_input");
    expect(error.message).toContain(`SCIM target ${dir().name}`);
  });

  it("reports a reply that does not match the SCIM schema as bad_input saying what is wrong", async () => {
    net().respondWith({
      status: 200,
      headers: { "content-type": "application/scim+json" },
      body: { schemas: ["urn:ietf:params:scim:api:messages:2.0:ListResponse"], totalResults: 1, Resources: [{ id: 42 }] },
    });
    const error = await failure(() => dir().findUser("someone@example.com"));
    expect(error.code).toBe("bad_input");
    expect(error.message).toMatch(/Resources\.0\.(id|userName)/);
  });

  it("never puts the bearer token in an error, even when the server echoes it", async () => {
    net().failWith({ status: 401, detail: `token ${net().token} is not valid` });
    const error = await failure(() => dir().findGroup("anything"));
    expect(error.code).toBe("target_rejected");
    const token = net().token;
    for (const e of seen) {
      const text = [String((e as Error).message), JSON.stringify(e), String((e as Error).cause ?? "")].join(" ");
      expect(text).not.toContain(token);
    }
  });

  afterAll(() => {
    seen.length = 0;
  });
}
