/**
 * SQL identifiers of app tables. Every entity and join table lives in the app database's
 * `public` schema and is always named with it (docs/security.md, "Databases and roles"):
 * an unqualified name is resolved through `search_path`, where `pg_catalog` comes first,
 * so `pg_authid` would have read the server's catalog instead of a tenant table.
 */
export const APP_SCHEMA = 'public'

export function quoteIdent (name: string): string {
  // Names reaching here passed NAME_RE; quoting keeps reserved words usable.
  return `"${name.replace(/"/g, '""')}"`
}

/** `"public"."<table>"`: the only form in which dynamic SQL names an app table or index. */
export function qualifiedName (name: string): string {
  return `${quoteIdent(APP_SCHEMA)}.${quoteIdent(name)}`
}

/** Table and index names PostgreSQL reserves for its own catalogs; refused in metadata (422). */
export function isSystemCatalogName (name: string): boolean {
  return name.startsWith('pg_')
}
