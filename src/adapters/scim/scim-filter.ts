/**
 * SCIM filter building (RFC 7644 §3.4.2.2). Filter values are JSON strings, so they are written
 * with JSON.stringify: quoted with `"`, with `"` and `\` (and control characters) escaped. A
 * value can therefore never close its quotes and inject `or userName pr`. Attribute names are
 * checked against the ATTRNAME grammar. The whole filter is URL-encoded by the HTTP layer.
 */

const ATTRIBUTE_PATH = /^[A-Za-z][\w$-]*(?::[\w.$-]+)*(?:\.[A-Za-z][\w$-]*)?$/;

/** A filter string literal: `"a\"b"`. */
export function quote(value: string): string {
  return JSON.stringify(value);
}

function attribute(name: string): string {
  if (!ATTRIBUTE_PATH.test(name)) throw new Error(`not a SCIM attribute path: ${name}`);
  return name;
}

/** `attr eq "value"`. */
export function eq(name: string, value: string): string {
  return `${attribute(name)} eq ${quote(value)}`;
}

/** Joins expressions with `and`. */
export function and(...expressions: string[]): string {
  return expressions.join(" and ");
}

/** `members[value eq "id"]`: the value path selecting one member (RFC 7644 §3.5.2.2). */
export function memberValuePath(id: string): string {
  return `members[${eq("value", id)}]`;
}

/**
 * userName comparison is case-insensitive by schema (RFC 7643 §4.1.1, caseExact=false), but
 * many providers compare exactly. grantbot stores and queries userNames (emails) lower-cased,
 * so both kinds of provider agree as long as users are provisioned with lower-case userNames.
 */
export function normaliseUserName(userName: string): string {
  return userName.trim().toLowerCase();
}
