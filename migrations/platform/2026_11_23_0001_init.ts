import { sql, type Kysely } from 'kysely'

// Frozen in time: this migration must not import application code.
export async function up (db: Kysely<any>): Promise<void> {
  await sql`CREATE EXTENSION IF NOT EXISTS pgcrypto`.execute(db)
  await sql`
    CREATE TABLE _apps (
      name text PRIMARY KEY,
      display_name text NOT NULL,
      db_name text NOT NULL UNIQUE,
      jwt_secret text NOT NULL,
      status text NOT NULL DEFAULT 'active',
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    )`.execute(db)
  await sql`
    CREATE TABLE _platform_users (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      email text NOT NULL,
      password_hash text NOT NULL,
      roles text[] NOT NULL DEFAULT '{}',
      active boolean NOT NULL DEFAULT true,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    )`.execute(db)
  await sql`CREATE UNIQUE INDEX _platform_users_email_key ON _platform_users (lower(email))`.execute(db)
  await sql`
    CREATE TABLE _platform_refresh_tokens (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      user_id uuid NOT NULL REFERENCES _platform_users(id) ON DELETE CASCADE,
      token_hash text NOT NULL UNIQUE,
      family_id uuid NOT NULL,
      expires_at timestamptz NOT NULL,
      rotated_at timestamptz,
      revoked_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now()
    )`.execute(db)
  await sql`CREATE INDEX _platform_refresh_tokens_family ON _platform_refresh_tokens (family_id)`.execute(db)
  await sql`
    CREATE TABLE _platform_settings (
      key text PRIMARY KEY,
      value text NOT NULL,
      updated_at timestamptz NOT NULL DEFAULT now()
    )`.execute(db)
}

export async function down (db: Kysely<any>): Promise<void> {
  for (const t of ['_platform_settings', '_platform_refresh_tokens', '_platform_users', '_apps']) {
    await sql`DROP TABLE IF EXISTS ${sql.table(t)}`.execute(db)
  }
}
