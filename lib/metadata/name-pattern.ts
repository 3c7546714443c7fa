/**
 * The one pattern of names that become identifiers or paths: metadata names (entities, tables,
 * fields, relations, join tables and keys, indexes), app names (database, role, storage folder)
 * and database server names. A leaf module, so configuration and storage can share it.
 */
export const NAME_PATTERN = '^[a-z][a-z0-9_]{0,62}$'
export const NAME_RE = new RegExp(NAME_PATTERN)
