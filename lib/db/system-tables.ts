/*
 * Rows of the system tables read through postgres.js (`sql<Row[]>`), one type per table, as the
 * driver returns them (docs/ARCHITECTURE.md, "Data access"): TIMESTAMPTZ → Date, text[] →
 * string[], jsonb → parsed JSON. Queries pick columns with `Pick`/`Omit` of these. The tables
 * themselves are defined by the migrations (migrations/platform, migrations/app).
 */

/** `_apps` (management database). */
export interface AppsRow {
  name: string
  display_name: string
  db_name: string
  jwt_secret: string
  /** `active`, or `deleting` from the moment a deletion starts. */
  status: string
  /** Name of the database server holding the app's database (`default`: the management server). */
  server: string
  created_at: Date
  updated_at: Date
}

/** `_servers` (management database): registered database servers. */
export interface ServersRow {
  name: string
  url: string
  replicas: string[]
  created_at: Date
}

/** `_platform_settings` (management database): persisted secrets. */
export interface PlatformSettingsRow {
  key: string
  value: string
  updated_at: Date
}

/**
 * `_users` of an app. `password_hash` is null for a user created by federated login until a
 * password is set (docs/reference.md, "Federated login"); `token_version` is raised to refuse
 * older access tokens (docs/security.md, "Access tokens").
 */
export interface UsersRow {
  id: string
  email: string
  password_hash: string | null
  roles: string[]
  active: boolean
  token_version: number
  /** Set by `POST /auth/verify-email` (and a completed password reset); cleared when the email changes. */
  email_verified: boolean
  created_at: Date
  updated_at: Date
}

/** `_permissions` of an app (`conditions` is jsonb). */
export interface PermissionsRow {
  id: string
  entity: string
  action: string
  roles: string[]
  conditions: unknown
  fields: string[] | null
  created_at: Date
  updated_at: Date
}

/** `_api_keys` of an app. */
export interface ApiKeysRow {
  id: string
  name: string
  roles: string[]
  key_hash: string
  /** The key's first characters, for telling keys apart in lists (never enough to use it). */
  prefix: string
  created_by: string | null
  expires_at: Date | null
  revoked_at: Date | null
  last_used_at: Date | null
  created_at: Date
}

/** `_mail_templates` of an app (no row: the built-in text). */
export interface MailTemplatesRow {
  kind: string
  subject: string
  text: string
  html: string | null
  updated_at: Date
}

/** `_mail_settings` of an app: at most one row (`id` is always true). */
export interface MailSettingsRow {
  id: boolean
  app_url: string | null
  updated_at: Date
}
