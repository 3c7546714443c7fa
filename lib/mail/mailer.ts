import nodemailer from 'nodemailer'
import type { FastifyBaseLogger } from 'fastify'

/** One mail, rendered. */
export interface MailMessage {
  to: string
  subject: string
  text: string
  html?: string | undefined
}

/** Where mails go: SMTP, or the log in development. */
export interface Mailer {
  readonly kind: 'smtp' | 'log'
  send: (message: MailMessage) => Promise<void>
  close: () => void
}

/**
 * The mailer of `SMTP_URL` + `MAIL_FROM` (docs/reference.md, "Password reset and email
 * verification"). Without `SMTP_URL` a mail is written to the log at info level instead — for
 * development only, since a reset link in a log is as good as the password.
 */
export function createMailer (config: { smtpUrl: string | null, mailFrom: string }, log: FastifyBaseLogger): Mailer {
  if (config.smtpUrl === null) {
    return {
      kind: 'log',
      send: async (m) => { log.info({ mail: { to: m.to, subject: m.subject, text: m.text } }, 'mail (SMTP_URL unset: written to the log)') },
      close: () => {}
    }
  }
  const transport = nodemailer.createTransport(config.smtpUrl)
  return {
    kind: 'smtp',
    send: async (m) => {
      await transport.sendMail({ from: config.mailFrom, to: m.to, subject: m.subject, text: m.text, ...(m.html !== undefined ? { html: m.html } : {}) })
    },
    close: () => { transport.close() }
  }
}
