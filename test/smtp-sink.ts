import { SMTPServer } from 'smtp-server'

/** A mail as the test SMTP server received it. */
export interface ReceivedMail {
  to: string[]
  raw: string
  /** Headers and body with quoted-printable soft breaks and escapes undone (enough to read links). */
  decoded: string
  subject: string
}

export interface SmtpSink {
  url: string
  mails: ReceivedMail[]
  /** The next mail to `to` not yet taken (waits up to `timeoutMs`; rejects after). */
  next: (to: string, timeoutMs?: number) => Promise<ReceivedMail>
  close: () => Promise<void>
}

function decodeQuotedPrintable (raw: string): string {
  return raw.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)))
}

/** A real SMTP server in the test process (no TLS, no auth) that keeps every mail it receives. */
export async function startSmtpSink (): Promise<SmtpSink> {
  const mails: ReceivedMail[] = []
  const taken = new Set<ReceivedMail>()
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData (stream, session, callback) {
      const chunks: Buffer[] = []
      stream.on('data', (c: Buffer) => chunks.push(c))
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8')
        const decoded = decodeQuotedPrintable(raw)
        const subject = /^Subject: (.*)$/m.exec(raw)?.[1]?.trim() ?? ''
        mails.push({ to: session.envelope.rcptTo.map((r) => r.address), raw, decoded, subject })
        callback()
      })
    }
  })
  await new Promise<void>((resolve) => { server.listen(0, '127.0.0.1', resolve) })
  const address = server.server.address()
  const port = typeof address === 'object' && address !== null ? address.port : 0
  return {
    url: `smtp://127.0.0.1:${port}`,
    mails,
    next: async (to, timeoutMs = 5000) => {
      const started = Date.now()
      for (;;) {
        const mail = mails.find((m) => !taken.has(m) && m.to.includes(to))
        if (mail !== undefined) {
          taken.add(mail)
          return mail
        }
        if (Date.now() - started > timeoutMs) throw new Error(`no mail to ${to} within ${timeoutMs} ms`)
        await new Promise((resolve) => setTimeout(resolve, 20))
      }
    },
    close: async () => { await new Promise<void>((resolve) => { server.close(() => { resolve() }) }) }
  }
}

/** The token of the first `?token=` link in a mail. */
export function tokenOf (mail: ReceivedMail): string {
  const m = /[?&]token=([A-Za-z0-9_-]+)/.exec(mail.decoded)
  if (m?.[1] === undefined) throw new Error(`no token link in mail: ${mail.decoded.slice(0, 500)}`)
  return m[1]
}
