/**
 * zod schemas for what SCIM service providers send back (RFC 7643 resources, RFC 7644 messages).
 * Objects are loose: providers add attributes and extensions; we check only what we read.
 */
import { z } from "zod";

export const ENTERPRISE_USER_SCHEMA = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

/** RFC 7644 §3.12. `status` is a string per the RFC; some providers send a number. */
export const ScimErrorSchema = z.looseObject({
  schemas: z.array(z.string()).optional(),
  status: z.union([z.string(), z.number()]).optional(),
  scimType: z.string().optional(),
  detail: z.string().optional(),
});

/**
 * `active` is a boolean; Entra-fed directories are known to send "True"/"False" strings, which
 * we accept (case-insensitively) rather than failing a whole page.
 */
const BooleanLike = z
  .union([z.boolean(), z.string().regex(/^(true|false)$/i, "expected a boolean")])
  .transform((v) => (typeof v === "boolean" ? v : v.toLowerCase() === "true"));

const Id = z.string().min(1, "expected a non-empty id");

export const MemberSchema = z.looseObject({
  value: Id,
  display: z.string().optional(),
  type: z.string().optional(),
  $ref: z.string().optional(),
});

export const GroupSchema = z.looseObject({
  id: Id,
  displayName: z.string().optional(),
  members: z.array(MemberSchema).nullish(),
});

export const UserRefSchema = z.looseObject({
  id: Id,
  userName: z.string().min(1, "expected a non-empty userName"),
});

export const UserSchema = z.looseObject({
  id: Id,
  userName: z.string().min(1, "expected a non-empty userName"),
  active: BooleanLike.optional(),
  displayName: z.string().optional(),
  emails: z.array(z.looseObject({ value: z.string().optional(), primary: BooleanLike.optional() })).optional(),
  [ENTERPRISE_USER_SCHEMA]: z
    .looseObject({ manager: z.union([z.looseObject({ value: z.string().optional() }), z.string()]).nullish() })
    .optional(),
});

/**
 * RFC 7644 §3.4.2 ListResponse. `totalResults` is REQUIRED by the RFC, but AWS cursor pages omit
 * it (they carry `nextCursor` instead), so it is optional here and the pager decides.
 */
export function listResponseSchema<T extends z.ZodType>(item: T) {
  return z.looseObject({
    schemas: z.array(z.string()).optional(),
    totalResults: z.number().int().nonnegative().optional(),
    startIndex: z.number().int().optional(),
    itemsPerPage: z.number().int().optional(),
    Resources: z.array(item).nullish(),
    nextCursor: z.string().nullish(),
  });
}

export type ScimGroupBody = z.infer<typeof GroupSchema>;
export type ScimUserBody = z.infer<typeof UserSchema>;
