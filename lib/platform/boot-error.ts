/**
 * A startup step failed for a reason the operator can fix: `message` names the cause, `fix` what
 * to change. The server prints both on one line and exits 1 (docs/ARCHITECTURE.md, "Boot and
 * shutdown").
 */
export class BootError extends Error {
  constructor (message: string, readonly fix: string, options?: ErrorOptions) {
    super(message, options)
    this.name = 'BootError'
  }
}

interface SystemError { code?: unknown, address?: unknown, port?: unknown, message?: unknown }

/**
 * The one line a failed startup prints: a BootError as is; connection failures of an external
 * DATABASE_URL and a taken HTTP port translated; anything else with its message.
 */
export function bootFailureLine (err: unknown): string {
  const described = describe(err)
  return `Rocket could not start: ${described.cause}${described.fix !== '' ? ` — ${described.fix}` : ''}`
}

function describe (err: unknown): { cause: string, fix: string } {
  if (err instanceof BootError) return { cause: oneLine(err.message), fix: err.fix }
  const e = (typeof err === 'object' && err !== null ? err : {}) as SystemError
  const message = oneLine(typeof e.message === 'string' ? e.message : String(err))
  const where = typeof e.address === 'string' ? `${e.address}${typeof e.port === 'number' ? `:${e.port}` : ''}` : ''
  switch (e.code) {
    case 'EADDRINUSE':
      return { cause: `the HTTP port is already in use (${where || message})`, fix: 'set PORT to a free port or stop the other process' }
    case 'EACCES':
      return { cause: `permission denied (${where || message})`, fix: 'use a port above 1023 (PORT) or check file permissions of DATA_DIR / STORAGE_PATH' }
    case 'ECONNREFUSED':
    case 'ENOTFOUND':
    case 'EHOSTUNREACH':
    case 'ETIMEDOUT':
    case 'CONNECT_TIMEOUT':
      return { cause: `PostgreSQL cannot be reached (${where || message})`, fix: 'start it, or fix DATABASE_URL (unset it to use the embedded PostgreSQL)' }
    case '28P01':
    case '28000':
      return { cause: `PostgreSQL refused the login (${message})`, fix: 'fix the user and password in DATABASE_URL' }
    case '3D000':
      return { cause: `PostgreSQL database missing (${message})`, fix: 'create it or point DATABASE_URL at an existing database' }
    default:
      return { cause: message, fix: 'run with LOG_LEVEL=debug for the stack trace' }
  }
}

function oneLine (text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim()
}
