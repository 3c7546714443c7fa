import type { Session } from '../lib/auth/sessions.js'

/** The token envelope shared by platform and app auth routes. */
export function tokenResponse (session: Session, accessToken: string, expiresIn: number): { data: Record<string, unknown> } {
  return {
    data: {
      access_token: accessToken,
      refresh_token: session.refreshToken,
      token_type: 'Bearer',
      expires_in: expiresIn,
      user: { id: session.user.id, email: session.user.email, roles: session.user.roles }
    }
  }
}
