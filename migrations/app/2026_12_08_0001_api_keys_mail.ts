import { sql, type Kysely } from 'kysely'

// Frozen in time: this migration must not import application code.
// API keys (stored as SHA-256 only), one-time reset/verification tokens, per-app mail
// templates and settings, and `_users.email_verified` (docs/reference.md, "API keys",
// "Password reset and email verification").
export async function up (db: Kysely<any>): Promise<void> {
  await sql`CREATE TABLE IF NOT EXISTS _api_keys (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    name text NOT NULL,
    roles text[] NOT NULL DEFAULT '{}',
    key_hash text NOT NULL UNIQUE,
    prefix text NOT NULL,
    created_by uuid,
    expires_at timestamptz,
    revoked_at timestamptz,
    last_used_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now())`.execute(db)
  await sql`ALTER TABLE _users ADD COLUMN IF NOT EXISTS email_verified boolean NOT NULL DEFAULT false`.execute(db)
  await sql`CREATE TABLE IF NOT EXISTS _auth_tokens (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id uuid NOT NULL REFERENCES _users(id) ON DELETE CASCADE,
    kind text NOT NULL CHECK (kind IN ('reset', 'verify')),
    email text NOT NULL,
    token_hash text NOT NULL UNIQUE,
    expires_at timestamptz NOT NULL,
    used_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now())`.execute(db)
  await sql`CREATE INDEX IF NOT EXISTS _auth_tokens_user ON _auth_tokens (user_id, kind)`.execute(db)
  await sql`CREATE TABLE IF NOT EXISTS _mail_templates (
    kind text PRIMARY KEY CHECK (kind IN ('reset', 'verify', 'invite')),
    subject text NOT NULL,
    text text NOT NULL,
    html text,
    updated_at timestamptz NOT NULL DEFAULT now())`.execute(db)
  await sql`CREATE TABLE IF NOT EXISTS _mail_settings (
    id boolean PRIMARY KEY DEFAULT true CHECK (id),
    app_url text,
    updated_at timestamptz NOT NULL DEFAULT now())`.execute(db)
}

export async function down (db: Kysely<any>): Promise<void> {
  for (const t of ['_mail_settings', '_mail_templates', '_auth_tokens', '_api_keys']) await sql`DROP TABLE IF EXISTS ${sql.table(t)}`.execute(db)
  await sql`ALTER TABLE _users DROP COLUMN IF EXISTS email_verified`.execute(db)
}
