/**
 * What the CLI may say about a PostgreSQL connection URL: where it points (`host:port/database`),
 * never its user or password, and driver messages with the URL and its password taken out.
 */

/** `host:port/database` of a connection URL — never its user or password. */
export function location(raw: string): string {
  try {
    const url = new URL(raw);
    const database = decodeURIComponent(url.pathname.replace(/^\//, "")) || "(default database)";
    return `${url.host || "(local socket)"}/${database}`;
  } catch {
    return "(the PostgreSQL database)";
  }
}

/** Removes the URL and its password from a driver message, should one ever quote them. */
export function redact(message: string, raw: string): string {
  let out = message.split(raw).join("*****");
  try {
    const password = new URL(raw).password;
    if (password) for (const form of new Set([password, decodeURIComponent(password)])) out = out.split(form).join("*****");
  } catch {
    // not a WHATWG URL: the whole-URL replacement above is all we can do
  }
  return out;
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
