const CALLBACK_RE = /\/auth\/oidc\/[^/?#]+\/callback\?/
const SECRET_PARAM_RE = /([?&](?:code|state)=)[^&#]*/gi

/**
 * An OpenID Connect callback URL with its `code` and `state` values replaced, for the request
 * log (docs/security.md, "Federated login"): both are one-time, but a log line must not hold a
 * credential. Other URLs unchanged (an entity filter `?state=open` stays readable).
 */
export function redactOidcCallback (url: string): string {
  return CALLBACK_RE.test(url) ? url.replace(SECRET_PARAM_RE, '$1[REDACTED]') : url
}
