/**
 * Route schemas of the public password-reset and verification routes under `/auth`
 * (docs/ARCHITECTURE.md, "Route schemas"). `security: []`: no token needed, except
 * `request-verification`, which is the signed-in user's own request.
 */
const tags = ['auth']
const PUBLIC: never[] = []
const token = { type: 'string', minLength: 1, maxLength: 1000 }

function envelope (data: Record<string, unknown>): Record<string, unknown> {
  const properties = Object.fromEntries(Object.entries(data).map(([k, v]) => [k, v]))
  return { type: 'object', required: ['data'], properties: { data: { type: 'object', required: Object.keys(data), properties } } }
}

export const forgotPasswordSchema = {
  operationId: 'auth_forgot_password',
  summary: 'Ask for a password-reset mail',
  description: 'Always 202 with the same body, whether or not the address has an account (no account enumeration); the mail with a one-time link (valid 1 h) is sent after the answer. Rate-limited per address and per IP (429).',
  tags,
  security: PUBLIC,
  body: { type: 'object', additionalProperties: false, required: ['email'], properties: { email: { type: 'string', minLength: 1, maxLength: 320 } } },
  response: { 202: envelope({ accepted: { type: 'boolean', const: true } }) }
}

export const resetPasswordSchema = {
  operationId: 'auth_reset_password',
  summary: 'Set a new password with a reset token',
  description: 'Revokes every refresh-token family and every access token of the user; the token works once. Unknown, used, superseded or expired tokens are 404 (`details[0].rule`).',
  tags,
  security: PUBLIC,
  body: { type: 'object', additionalProperties: false, required: ['token', 'password'], properties: { token, password: { type: 'string', maxLength: 1000 } } },
  response: { 200: envelope({ password_reset: { type: 'boolean', const: true } }) }
}

export const requestVerificationSchema = {
  operationId: 'auth_request_verification',
  summary: 'Mail a verification link to the signed-in user',
  description: 'Users only (an API key is 403); 409 when the address is already verified. Rate-limited like forgot-password.',
  tags,
  response: { 202: envelope({ accepted: { type: 'boolean', const: true } }) }
}

export const verifyEmailSchema = {
  operationId: 'auth_verify_email',
  summary: 'Confirm an email address with a verification token',
  tags,
  security: PUBLIC,
  body: { type: 'object', additionalProperties: false, required: ['token'], properties: { token } },
  response: { 200: envelope({ email: { type: 'string' }, email_verified: { type: 'boolean', const: true } }) }
}
