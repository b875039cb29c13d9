import { Writable } from "node:stream";
import { format, inspect } from "node:util";
import pino from "pino";
import { describe, expect, it } from "vitest";
import { REDACTED, Secret, isSecret } from "../../src/config/secret.ts";

const VALUE = "xoxb-super-secret-value";

function captureConsoleLog(run: () => void): string {
  const original = console.log;
  const lines: string[] = [];
  console.log = (...args: unknown[]) => lines.push(format(...args));
  try {
    run();
  } finally {
    console.log = original;
  }
  return lines.join("\n");
}

describe("Secret", () => {
  const secret = new Secret(VALUE);

  it("returns the value only from reveal()", () => {
    expect(secret.reveal()).toBe(VALUE);
  });

  it("renders as ***** in toString, String() and template strings", () => {
    expect(secret.toString()).toBe(REDACTED);
    expect(String(secret)).toBe(REDACTED);
    expect(`token=${secret}`).toBe(`token=${REDACTED}`);
    expect("token=" + secret).toBe(`token=${REDACTED}`);
  });

  it("renders as ***** in JSON.stringify, also nested", () => {
    expect(JSON.stringify(secret)).toBe(`"${REDACTED}"`);
    expect(JSON.stringify({ slack: { token: secret } })).not.toContain(VALUE);
  });

  it("renders as ***** in util.inspect, also nested and with showHidden", () => {
    expect(inspect(secret)).toBe(REDACTED);
    expect(inspect({ a: [secret] }, { depth: 10, showHidden: true })).not.toContain(VALUE);
  });

  it("renders as ***** in console.log", () => {
    const printed = captureConsoleLog(() => console.log("config %o %s", { token: secret }, secret, secret));
    expect(printed).toContain(REDACTED);
    expect(printed).not.toContain(VALUE);
  });

  it("never reaches pino output", () => {
    let output = "";
    const sink = new Writable({ write(chunk, _encoding, done) { output += String(chunk); done(); } });
    const logger = pino({ level: "info" }, sink);
    logger.info({ token: secret, nested: { secret } }, "loaded");
    logger.info(`template ${secret}`);
    logger.child({ secret }).info("child");
    expect(output).toContain(REDACTED);
    expect(output).not.toContain(VALUE);
  });

  it("has no enumerable property holding the value", () => {
    expect(Object.keys(secret)).toEqual([]);
    expect(Object.values(secret)).not.toContain(VALUE);
    expect({ ...secret }).toEqual({});
  });

  it("compares with equals() without revealing", () => {
    expect(secret.equals(VALUE)).toBe(true);
    expect(secret.equals(new Secret(VALUE))).toBe(true);
    expect(secret.equals("other")).toBe(false);
    expect(secret.equals("")).toBe(false);
  });

  it("is recognised by isSecret", () => {
    expect(isSecret(secret)).toBe(true);
    expect(isSecret(VALUE)).toBe(false);
  });
});
