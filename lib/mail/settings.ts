import type { Sql } from '../db/connection.js'
import type { MailSettingsRow } from '../db/system-tables.js'
import { validationFailed } from '../errors.js'

/** The app's stored `app_url` (null: the server's `PUBLIC_URL`). */
export async function storedAppUrl (sql: Sql): Promise<string | null> {
  const [row] = await sql<Array<Pick<MailSettingsRow, 'app_url'>>>`SELECT app_url FROM _mail_settings LIMIT 1`
  return row?.app_url ?? null
}

/** An http(s) origin + optional path, no credentials, query or fragment; stored without a trailing slash. */
function checkAppUrl (raw: string): string {
  let url: URL | null = null
  try { url = new URL(raw) } catch { url = null }
  if (url === null || !/^https?:$/.test(url.protocol) || url.username !== '' || url.password !== '' || url.search !== '' || url.hash !== '') {
    throw validationFailed('app_url must be an http(s) URL without credentials, query or fragment', [{ field: 'app_url', rule: 'format', message: 'an http(s) URL without credentials, query or fragment' }])
  }
  return url.href.replace(/\/+$/, '')
}

export async function saveAppUrl (sql: Sql, raw: string | null): Promise<string | null> {
  const appUrl = raw === null ? null : checkAppUrl(raw)
  await sql`INSERT INTO _mail_settings (id, app_url, updated_at) VALUES (true, ${appUrl}, now())
    ON CONFLICT (id) DO UPDATE SET app_url = excluded.app_url, updated_at = excluded.updated_at`
  return appUrl
}

/**
 * Where the links of an app's mails point: its `app_url`, else the server's `PUBLIC_URL`, else
 * `http://localhost:<port>`. Never the request's Host header: a forged one would send a
 * victim's reset link to the forger.
 */
export function linkBase (stored: string | null, config: { publicUrl: string | null, port: number }): string {
  return (stored ?? config.publicUrl ?? `http://localhost:${config.port}`).replace(/\/+$/, '')
}
