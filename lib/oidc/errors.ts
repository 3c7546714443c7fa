/**
 * Why a federated login was refused. The callback sends the browser back to the app with
 * `#error=<code>&error_description=<message>` (docs/reference.md, "Federated login"), so the
 * message is written for the person signing in and never carries a secret or a provider's answer.
 */
export type OidcErrorCode =
  | 'invalid_state' | 'provider_error' | 'provider_unavailable' | 'login_failed'
  | 'email_missing' | 'email_not_verified' | 'domain_not_allowed' | 'user_disabled'

export class OidcLoginError extends Error {
  constructor (readonly code: OidcErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'OidcLoginError'
  }
}
