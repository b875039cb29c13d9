import { describe, expect, it } from "vitest";
import { isAppError } from "../../src/domain/errors.ts";
import {
  GRANT_STATES,
  LIVE_STATES,
  PENDING_STATES,
  TERMINAL_STATES,
  TRANSITIONS,
  assertTransition,
  canTransition,
  expiryFor,
  grantBranch,
  grantFilePath,
  isTerminal,
  type GrantState,
} from "../../src/domain/grant.ts";

/**
 * The state machine, written out independently of the implementation. Rows are "from", columns
 * "to" in GRANT_STATES order; 1 = legal. Changing TRANSITIONS without changing this table fails.
 */
const COLUMNS = ["requested", "pr_open", "approved", "active", "expired", "released", "revoked", "declined", "rejected", "cancelled"] as const;
const EXPECTED: Record<GrantState, readonly (0 | 1)[]> = {
  //          req pr  appr act exp rel rev dec rej can
  requested: [0, 1, 0, 0, 0, 0, 0, 1, 1, 1],
  pr_open: [0, 0, 1, 0, 0, 0, 0, 1, 1, 1],
  approved: [0, 0, 0, 1, 0, 0, 1, 0, 0, 0],
  active: [0, 0, 0, 0, 1, 1, 1, 0, 0, 0],
  expired: [0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
  released: [0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
  revoked: [0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
  declined: [0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
  rejected: [0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
  cancelled: [0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
};

const matrix = GRANT_STATES.flatMap((from) =>
  GRANT_STATES.map((to) => ({ from, to, legal: EXPECTED[from][COLUMNS.indexOf(to)] === 1 })),
);
const legal = matrix.filter((c) => c.legal);
const illegal = matrix.filter((c) => !c.legal);

describe("grant state machine", () => {
  it("has exactly the ten states of the expected table, in order", () => {
    expect([...GRANT_STATES]).toEqual([...COLUMNS]);
    expect(Object.keys(TRANSITIONS).sort()).toEqual([...COLUMNS].sort());
  });

  it("covers the full 10x10 matrix", () => {
    expect(matrix).toHaveLength(100);
    expect(legal).toHaveLength(13);
  });

  it.each(legal)("allows $from -> $to", ({ from, to }) => {
    expect(canTransition(from, to)).toBe(true);
    expect(() => assertTransition(from, to)).not.toThrow();
  });

  it.each(illegal)("refuses $from -> $to with invalid_transition", ({ from, to }) => {
    expect(canTransition(from, to)).toBe(false);
    let thrown: unknown;
    try {
      assertTransition(from, to);
    } catch (error) {
      thrown = error;
    }
    expect(isAppError(thrown) && thrown.code).toBe("invalid_transition");
    expect((thrown as Error).message).toBe(`a grant cannot go from ${from} to ${to}`);
  });

  it("declares no transition the expected table does not list", () => {
    for (const from of GRANT_STATES) {
      const expected = COLUMNS.filter((_, i) => EXPECTED[from][i] === 1);
      expect([...TRANSITIONS[from]].sort()).toEqual([...expected].sort());
    }
  });

  it.each(GRANT_STATES.map((state) => ({ state, terminal: EXPECTED[state].every((v) => v === 0) })))(
    "reports $state as terminal: $terminal",
    ({ state, terminal }) => {
      expect(isTerminal(state)).toBe(terminal);
      expect(TERMINAL_STATES.includes(state)).toBe(terminal);
    },
  );

  it("groups live and pending states", () => {
    expect([...LIVE_STATES]).toEqual(["approved", "active"]);
    expect([...PENDING_STATES]).toEqual(["requested", "pr_open"]);
  });
});

describe("grant helpers", () => {
  it("computes expiry as activation plus duration", () => {
    expect(expiryFor(1_000_000, 7_200_000)).toBe(8_200_000);
  });

  it("names the grant file and branch after the resource and id", () => {
    expect(grantFilePath("prod-db-readonly", "01JD2S3K7Q8R9T0V1W2X3Y4Z5A")).toBe(
      "grants/prod-db-readonly/01JD2S3K7Q8R9T0V1W2X3Y4Z5A.yaml",
    );
    expect(grantBranch("01JD2S3K7Q8R9T0V1W2X3Y4Z5A")).toBe("grant/01JD2S3K7Q8R9T0V1W2X3Y4Z5A");
  });
});
