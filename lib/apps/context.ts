import type { Sql } from '../db/connection.js'
import type { Registry } from '../metadata/registry.js'

/** The authenticated caller, as every engine function sees it. */
export interface UserContext {
  id: string
  email: string
  roles: string[]
  /** True for a platform user acting inside an app (accepted as admin everywhere). */
  platform?: boolean
  /** True for an API key acting as a service principal (`id` is the key's id, `email` is empty). */
  apiKey?: boolean
}

/**
 * Everything the engine needs for one app: its pool (bounded, idle connections closed; system
 * tables and entity tables alike go through it), its JWT secret, and the current
 * compiled metadata. `registry` is replaced (never mutated) when metadata changes.
 */
export interface AppContext {
  name: string
  dbName: string
  /** The database server holding it (`default`: the management server; docs/ARCHITECTURE.md, "Database servers"). */
  server: string
  sql: Sql
  jwtSecret: string
  registry: Registry
  /** Rebuilds `registry` from the database (after a metadata change here or in another process). */
  reload: () => Promise<void>
}

export function isAdmin (user: UserContext | null): boolean {
  return user !== null && (user.platform === true || user.roles.includes('admin'))
}
