import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto'

/**
 * Encryption at rest of provider client secrets (docs/security.md, "Federated login"): AES-256-GCM
 * under a key derived (HKDF-SHA256) from the app's own JWT secret, which lives in the management
 * database — never in the app's database — so a dump of the app database alone reveals no client
 * secret. The app name is bound as associated data: a value copied to another app does not open.
 */
const VERSION = 'v1'
const IV_BYTES = 12

function keyFor (appSecret: string, app: string): Buffer {
  return Buffer.from(hkdfSync('sha256', appSecret, `rocket:${app}`, 'auth-provider-client-secret', 32))
}

/** `v1.<iv>.<tag>.<ciphertext>`, each base64url. */
export function sealSecret (plain: string, key: { appSecret: string, app: string }): string {
  const iv = randomBytes(IV_BYTES)
  const cipher = createCipheriv('aes-256-gcm', keyFor(key.appSecret, key.app), iv)
  cipher.setAAD(Buffer.from(key.app))
  const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()])
  return [VERSION, iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), body.toString('base64url')].join('.')
}

/** The plain secret; throws when the value was not sealed for this app under this secret. */
export function openSecret (sealed: string, key: { appSecret: string, app: string }): string {
  const [version, iv, tag, body] = sealed.split('.')
  if (version !== VERSION || iv === undefined || tag === undefined || body === undefined) throw new Error('unknown sealed secret format')
  const decipher = createDecipheriv('aes-256-gcm', keyFor(key.appSecret, key.app), Buffer.from(iv, 'base64url'))
  decipher.setAAD(Buffer.from(key.app))
  decipher.setAuthTag(Buffer.from(tag, 'base64url'))
  return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8')
}
