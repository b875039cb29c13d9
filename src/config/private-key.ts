/**
 * GITHUB_APP_PRIVATE_KEY is either PEM text (as pasted into a secret store, often with literal
 * `\n` escapes) or a path to a PEM file. Error messages never contain key material: a path is
 * echoed only when it cannot be a fragment of a key (it contains a dot, which base64 never does).
 */
import { z } from "zod";
import { Secret } from "./secret.ts";

/** Reads a UTF-8 text file; throws (e.g. ENOENT) when it cannot. Injected so tests need no files. */
export type ReadFile = (path: string) => string;

const PEM_RE = /-----BEGIN ([A-Z0-9 ]*)PRIVATE KEY-----[\s\S]+-----END \1PRIVATE KEY-----/;
const PEM_HINT = "expected a PEM private key (-----BEGIN RSA PRIVATE KEY----- …) or a path to a .pem file";

/** A zod transform: value -> Secret holding the PEM text, or an issue. */
export function readPrivateKey(readFile: ReadFile) {
  return (value: string, ctx: z.RefinementCtx<string>): Secret => {
    const pem = value.includes("-----BEGIN") ? value.replace(/\\n/g, "\n") : fromFile(value, readFile, ctx);
    if (pem === undefined) return z.NEVER;
    const match = PEM_RE.exec(pem);
    if (!match) {
      ctx.addIssue({ code: "custom", message: value.includes("-----BEGIN") ? PEM_HINT : `the file ${describePath(value)} does not contain a PEM private key` });
      return z.NEVER;
    }
    return new Secret(`${match[0]}\n`);
  };
}

function fromFile(value: string, readFile: ReadFile, ctx: z.RefinementCtx<string>): string | undefined {
  if (/[\r\n]/.test(value) || value.length > 4096) {
    ctx.addIssue({ code: "custom", message: PEM_HINT });
    return undefined;
  }
  try {
    return readFile(value);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException | undefined)?.code;
    ctx.addIssue({ code: "custom", message: `cannot read the file ${describePath(value)}${code ? ` (${code})` : ""}; ${PEM_HINT}` });
    return undefined;
  }
}

function describePath(value: string): string {
  return value.includes(".") && !/\s/.test(value) ? `"${value}"` : "it names";
}
