/**
 * Schema version 7: the commit a grant's policy was read at (the merge commit's first parent),
 * so activation takes groups, audience and scopes from the same rules the approval was judged by.
 * NULL on grants approved before this version (their activation falls back to the current policy).
 */
export const MIGRATION_007_GRANT_POLICY_SHA = `
ALTER TABLE grants ADD COLUMN policy_sha TEXT;
`;
