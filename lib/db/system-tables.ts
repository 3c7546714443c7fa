import type { ColumnType, Generated } from 'kysely'

/** Timestamp columns: read as Date, written optionally (database default). */
type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>
type Json<T = unknown> = ColumnType<T, string, string>

export interface PlatformDatabase {
  _apps: {
    name: string
    display_name: string
    db_name: string
    jwt_secret: string
    status: Generated<string>
    /** Name of the database server holding the app's database (`default`: the management server). */
    server: Generated<string>
    created_at: Timestamp
    updated_at: Timestamp
  }
  _servers: {
    name: string
    url: string
    replicas: string[]
    created_at: Timestamp
  }
  _platform_users: UserTable
  _platform_refresh_tokens: RefreshTokenTable
  _platform_settings: {
    key: string
    value: string
    updated_at: Timestamp
  }
}

interface UserColumns {
  id: Generated<string>
  email: string
  roles: string[]
  active: Generated<boolean>
  created_at: Timestamp
  updated_at: Timestamp
}

/** Platform users: every one has a password. */
export interface UserTable extends UserColumns {
  password_hash: string
}

/**
 * App users also carry the version their access tokens must have (raised to refuse older
 * tokens). `password_hash` is null for a user created by federated login until a password is
 * set (docs/reference.md, "Federated login"): password login refuses them like a wrong password.
 */
export interface AppUserTable extends UserColumns {
  password_hash: string | null
  token_version: Generated<number>
  /** Set by `POST /auth/verify-email` (and a completed password reset); cleared when the email changes. */
  email_verified: Generated<boolean>
}

export interface RefreshTokenTable {
  id: Generated<string>
  user_id: string
  token_hash: string
  family_id: string
  expires_at: Date | string
  rotated_at: Date | string | null
  revoked_at: Date | string | null
  created_at: Timestamp
}

export interface AppDatabase {
  _entities: {
    name: string
    table_name: string
    definition: Json
    created_at: Timestamp
    updated_at: Timestamp
  }
  _relations: {
    name: string
    source: string
    target: string
    definition: Json
    created_at: Timestamp
    updated_at: Timestamp
  }
  _rules: {
    id: Generated<string>
    entity: string
    hook: string
    type: string
    definition: Json
    priority: Generated<number>
    active: Generated<boolean>
    created_at: Timestamp
    updated_at: Timestamp
  }
  _state_machines: {
    id: Generated<string>
    entity: string
    field: string
    definition: Json
    active: Generated<boolean>
    created_at: Timestamp
    updated_at: Timestamp
  }
  _permissions: {
    id: Generated<string>
    entity: string
    action: string
    roles: string[]
    conditions: Json
    fields: string[] | null
    created_at: Timestamp
    updated_at: Timestamp
  }
  _users: AppUserTable
  _refresh_tokens: RefreshTokenTable
  _invites: {
    id: Generated<string>
    email: string
    roles: string[]
    token_hash: string
    invited_by: string | null
    expires_at: Date | string
    accepted_at: Date | string | null
    revoked_at: Date | string | null
    created_at: Timestamp
  }
  _api_keys: {
    id: Generated<string>
    name: string
    roles: string[]
    key_hash: string
    /** The key's first characters, for telling keys apart in lists (never enough to use it). */
    prefix: string
    created_by: string | null
    expires_at: Date | string | null
    revoked_at: Date | string | null
    last_used_at: Date | string | null
    created_at: Timestamp
  }
  _auth_tokens: {
    id: Generated<string>
    user_id: string
    kind: 'reset' | 'verify'
    /** The address the token was mailed to: a verification counts only while the user still has it. */
    email: string
    token_hash: string
    expires_at: Date | string
    used_at: Date | string | null
    created_at: Timestamp
  }
  _mail_templates: {
    kind: string
    subject: string
    text: string
    html: string | null
    updated_at: Timestamp
  }
  _mail_settings: {
    id: Generated<boolean>
    app_url: string | null
    updated_at: Timestamp
  }
  _audit_log: {
    id: Generated<string>
    entity: string
    record_id: string
    action: string
    changes: Json | null
    user_id: string | null
    at: Timestamp
  }
}
