import type { AppContext } from '../apps/context.js'
import type { Mailer } from './mailer.js'
import { linkBase, storedAppUrl } from './settings.js'
import { getTemplate, renderTemplate, type MailKind } from './templates.js'

/** Where each kind's link points, under the app's `app_url`. */
const LINK_PATHS: Readonly<Record<MailKind, string>> = { reset: 'reset-password', verify: 'verify-email', invite: 'accept-invite' }

/**
 * What is logged of a failed send: an SMTP error's message and its `rejected` list name the
 * address (the server's answer often quotes it), so only its kind, code and SMTP command.
 */
function smtpFailure (err: unknown): Record<string, unknown> {
  const e = (typeof err === 'object' && err !== null ? err : {}) as Record<string, unknown>
  const out: Record<string, unknown> = { type: e.name ?? 'Error', message: 'sending over SMTP failed' }
  for (const key of ['code', 'responseCode', 'command']) if (typeof e[key] === 'string' || typeof e[key] === 'number') out[key] = e[key]
  return out
}

/** One recipient and the one-time token their link carries. */
export interface LinkMail {
  to: string
  token: string
}

interface OutboxLog {
  error: (obj: unknown, msg?: string) => void
}

/**
 * The app mails of one server (docs/reference.md, "Password reset and email verification" and
 * "Users, auth, invites"): a mail of kind `reset`, `verify` or `invite` is the app's template
 * filled with `{{link}}` = `<app_url>/<reset-password|verify-email|accept-invite>?token=<token>`,
 * `{{email}}` and `{{app}}`. Mails go out after the answer (`later`), so a slow or failing SMTP
 * server never delays or fails a request; the work under way is awaited on close. A failure is
 * logged with the app and the kind only — never the address or the token (without `SMTP_URL`
 * the mailer writes whole mails to the log, at info level only).
 */
export class MailOutbox {
  private readonly inFlight = new Set<Promise<void>>()

  constructor (
    private readonly mailer: Mailer,
    private readonly config: { publicUrl: string | null, port: number },
    private readonly log: OutboxLog
  ) {}

  /** `log` while `SMTP_URL` is unset. */
  get transport (): Mailer['kind'] { return this.mailer.kind }

  /**
   * Mails each recipient their link: the template and `app_url` are read once for all. Sent one
   * after the other; a failed one is logged and the others still go.
   */
  async sendLinks (app: AppContext, kind: MailKind, mails: readonly LinkMail[]): Promise<void> {
    if (mails.length === 0) return
    const [template, stored] = await Promise.all([getTemplate(app.sql, kind), storedAppUrl(app.sql)])
    const base = `${linkBase(stored, this.config)}/${LINK_PATHS[kind]}?token=`
    for (const m of mails) {
      const message = { to: m.to, ...renderTemplate(template, { link: base + m.token, email: m.to, app: app.name }) }
      await this.mailer.send(message).catch((err: unknown) => { this.failed(smtpFailure(err), app, kind) })
    }
  }

  /** Runs `work` after the answer; tracked until it settles, a failure logged (app and kind only). */
  later (app: AppContext, kind: MailKind, work: () => Promise<void>): void {
    const job: Promise<void> = work().catch((err: unknown) => { this.failed(err, app, kind) })
      .finally(() => { this.inFlight.delete(job) })
    this.inFlight.add(job)
  }

  /** Waits for the mails under way, then closes the SMTP connections. */
  async close (): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight])
    this.mailer.close()
  }

  private failed (err: unknown, app: AppContext, kind: MailKind): void {
    this.log.error({ err, app: app.name, kind }, 'sending a mail failed')
  }
}
