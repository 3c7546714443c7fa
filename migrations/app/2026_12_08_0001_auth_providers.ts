import { sql, type Kysely } from 'kysely'

// Frozen in time: this migration must not import application code.
// Federated login (docs/reference.md, "Federated login"): OpenID Connect providers of the app
// (client secret encrypted at rest), the one-time state of logins under way (kept in the
// database so any server process may receive the callback), and users without a password
// (created by a provider: password login is refused for them until one is set).
export async function up (db: Kysely<any>): Promise<void> {
  await sql`CREATE TABLE IF NOT EXISTS _auth_providers (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    name text NOT NULL,
    issuer text NOT NULL,
    client_id text NOT NULL,
    client_secret_enc text,
    scopes text[] NOT NULL DEFAULT '{openid,email,profile}',
    default_roles text[] NOT NULL DEFAULT '{}',
    allowed_domains text[],
    redirect_url text NOT NULL,
    active boolean NOT NULL DEFAULT true,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now())`.execute(db)
  await sql`CREATE UNIQUE INDEX IF NOT EXISTS _auth_providers_name_key ON _auth_providers (name)`.execute(db)
  await sql`CREATE TABLE IF NOT EXISTS _oidc_logins (
    state_hash text PRIMARY KEY,
    provider_id uuid NOT NULL REFERENCES _auth_providers(id) ON DELETE CASCADE,
    nonce text NOT NULL,
    code_verifier text NOT NULL,
    callback_url text NOT NULL,
    expires_at timestamptz NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now())`.execute(db)
  await sql`CREATE INDEX IF NOT EXISTS _oidc_logins_expires ON _oidc_logins (expires_at)`.execute(db)
  await sql`ALTER TABLE _users ALTER COLUMN password_hash DROP NOT NULL`.execute(db)
}

export async function down (db: Kysely<any>): Promise<void> {
  await sql`DROP TABLE IF EXISTS _oidc_logins`.execute(db)
  await sql`DROP TABLE IF EXISTS _auth_providers`.execute(db)
}
