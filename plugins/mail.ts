import fp from 'fastify-plugin'
import type { FastifyInstance } from 'fastify'
import { createMailer } from '../lib/mail/mailer.js'
import { MailOutbox } from '../lib/mail/outbox.js'

declare module 'fastify' {
  interface FastifyInstance {
    /** The app mails (reset, verify, invite) of this server, sent after the answer. */
    mail: MailOutbox
  }
}

/**
 * One mail outbox per server (lib/mail/outbox.ts) over `SMTP_URL` + `MAIL_FROM`, or the log
 * without `SMTP_URL`. Closed before the platform closes the pools: mails under way still read
 * their template and are sent.
 */
async function mailPlugin (fastify: FastifyInstance): Promise<void> {
  const { config } = fastify.platform
  const mailer = createMailer(config, fastify.log)
  if (mailer.kind === 'log') fastify.log.info('SMTP_URL is not set: password-reset, verification and invite mails are written to the log (development only)')
  const outbox = new MailOutbox(mailer, config, { error: (obj, msg) => { fastify.log.error(obj, msg) } })
  fastify.decorate('mail', outbox)
  fastify.addHook('onClose', async () => { await outbox.close() })
}

export default fp(mailPlugin, { name: 'mail', fastify: '5.x', dependencies: ['platform'] })
