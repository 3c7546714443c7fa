// The auth provider form's pure conversions: a stored provider → form state → the body to send.
import type { AuthProvider } from '../../api/auth-providers.js'
import { parseRoles } from '../../components/form-values.js'

/** The form's state: lists as typed (comma or space separated). */
export interface ProviderDraft {
  name: string
  issuer: string
  client_id: string
  client_secret: string
  removeSecret: boolean
  scopes: string
  default_roles: string
  allowed_domains: string
  redirect_url: string
  active: boolean
}

export function draftOf (p: AuthProvider | null): ProviderDraft {
  return {
    name: p?.name ?? '',
    issuer: p?.issuer ?? '',
    client_id: p?.client_id ?? '',
    client_secret: '',
    removeSecret: false,
    scopes: (p?.scopes ?? ['openid', 'email', 'profile']).join(' '),
    default_roles: (p?.default_roles ?? []).join(', '),
    allowed_domains: (p?.allowed_domains ?? []).join(', '),
    redirect_url: p?.redirect_url ?? '',
    active: p?.active ?? true
  }
}

/**
 * The body to send. The secret only when typed (or null to remove it): it is write-only, so
 * an edit that leaves the field empty keeps the stored one. No domains typed: any domain (null).
 */
export function bodyOf (d: ProviderDraft, editing: boolean): Record<string, unknown> {
  const domains = parseRoles(d.allowed_domains)
  const body: Record<string, unknown> = {
    name: d.name.trim(),
    issuer: d.issuer.trim(),
    client_id: d.client_id.trim(),
    scopes: parseRoles(d.scopes),
    default_roles: parseRoles(d.default_roles),
    allowed_domains: domains.length > 0 ? domains : null,
    redirect_url: d.redirect_url.trim(),
    active: d.active
  }
  if (d.removeSecret && editing) body.client_secret = null
  else if (d.client_secret !== '') body.client_secret = d.client_secret
  return body
}
