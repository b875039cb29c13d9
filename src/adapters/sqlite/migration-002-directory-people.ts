/**
 * Schema version 2: the last known directory record of each person (PRODUCT.md: "grantbot keeps
 * the last directory record of each person (including the manager), so a person deleted from
 * the directory still has a known manager"). Used by offboarding.
 */
export const MIGRATION_002_DIRECTORY_PEOPLE = `
CREATE TABLE directory_people (
  email         TEXT PRIMARY KEY,               -- lower-cased
  scim_id       TEXT,                           -- id in the source directory
  active        INTEGER NOT NULL CHECK (active IN (0, 1)),
  manager_email TEXT,                           -- enterprise extension "manager", lower-cased
  display_name  TEXT,
  attributes    TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(attributes) AND json_type(attributes) = 'object'),
  seen_at       INTEGER NOT NULL,               -- last time the directory returned this person
  removed_at    INTEGER                         -- when the directory stopped returning them
) STRICT;
CREATE INDEX directory_people_scim_id ON directory_people (scim_id) WHERE scim_id IS NOT NULL;
CREATE INDEX directory_people_manager ON directory_people (manager_email) WHERE manager_email IS NOT NULL;
`;
