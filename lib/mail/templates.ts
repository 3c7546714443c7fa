import type { Sql } from '../db/connection.js'
import type { MailTemplatesRow } from '../db/system-tables.js'
import { validationFailed, type ErrorDetail } from '../errors.js'

export const MAIL_KINDS = ['reset', 'verify', 'invite'] as const
export type MailKind = typeof MAIL_KINDS[number]

/** Placeholders a template may use; anything else in `{{…}}` is refused on save. */
const PLACEHOLDERS = ['link', 'email', 'app'] as const
type Values = Record<typeof PLACEHOLDERS[number], string>
const PLACEHOLDER_RE = /\{\{\s*([^{}]*?)\s*\}\}/g

export interface MailTemplate {
  kind: MailKind
  subject: string
  text: string
  html: string | null
  /** True while the app uses the built-in text (no row stored). */
  is_default: boolean
  updated_at: Date | null
}

const DEFAULTS: Readonly<Record<MailKind, { subject: string, text: string }>> = {
  reset: {
    subject: 'Reset your password',
    text: 'Someone asked to reset the password of {{email}}.\n\nOpen this link within an hour to choose a new one:\n{{link}}\n\nIf it was not you, ignore this mail: your password stays as it is.\n'
  },
  verify: {
    subject: 'Confirm your email address',
    text: 'Please confirm that {{email}} is your address by opening this link within an hour:\n{{link}}\n'
  },
  invite: {
    subject: 'You are invited',
    text: 'You have been invited to {{app}}. Open this link to choose a password:\n{{link}}\n'
  }
}

function defaultOf (kind: MailKind): MailTemplate {
  return { kind, ...DEFAULTS[kind], html: null, is_default: true, updated_at: null }
}

export async function getTemplate (sql: Sql, kind: MailKind): Promise<MailTemplate> {
  const [row] = await sql<Array<Omit<MailTemplatesRow, 'kind'>>>`SELECT subject, text, html, updated_at FROM _mail_templates WHERE kind = ${kind}`
  return row === undefined ? defaultOf(kind) : { kind, ...row, is_default: false }
}

export async function listTemplates (sql: Sql): Promise<MailTemplate[]> {
  return await Promise.all(MAIL_KINDS.map(async (kind) => await getTemplate(sql, kind)))
}

/** What `PUT /_admin/mail-templates/:kind` takes, shape-checked by its route schema. */
export interface TemplateInput {
  subject: string
  text: string
  html?: string | null
}

/** Unknown placeholders, a link-less text and a multi-line subject are 422 (a schema cannot say these). */
function checkTemplate (input: TemplateInput): void {
  const out: ErrorDetail[] = []
  for (const [field, value] of [['subject', input.subject], ['text', input.text], ['html', input.html ?? '']] as const) {
    for (const m of value.matchAll(PLACEHOLDER_RE)) {
      const name = m[1] ?? ''
      if (!(PLACEHOLDERS as readonly string[]).includes(name)) out.push({ field, rule: 'placeholder', message: `unknown placeholder '{{${name.slice(0, 50)}}}' (use ${PLACEHOLDERS.map((p) => `{{${p}}}`).join(', ')})` })
    }
  }
  if (/[\r\n]/.test(input.subject)) out.push({ field: 'subject', rule: 'single_line', message: 'subject must be one line' })
  if (!/\{\{\s*link\s*\}\}/.test(input.text)) out.push({ field: 'text', rule: 'link', message: 'text must contain {{link}}' })
  if (out.length > 0) throw validationFailed(`Invalid mail template: ${out[0]?.message ?? ''}`, out)
}

export async function saveTemplate (sql: Sql, kind: MailKind, input: TemplateInput): Promise<MailTemplate> {
  checkTemplate(input)
  await sql`INSERT INTO _mail_templates (kind, subject, text, html, updated_at) VALUES (${kind}, ${input.subject}, ${input.text}, ${input.html ?? null}, now())
    ON CONFLICT (kind) DO UPDATE SET subject = excluded.subject, text = excluded.text, html = excluded.html, updated_at = excluded.updated_at`
  return await getTemplate(sql, kind)
}

/** Back to the built-in text. */
export async function resetTemplate (sql: Sql, kind: MailKind): Promise<MailTemplate> {
  await sql`DELETE FROM _mail_templates WHERE kind = ${kind}`
  return defaultOf(kind)
}

const HTML_ESCAPES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }

function fill (template: string, values: Values, escape: (s: string) => string): string {
  return template.replace(PLACEHOLDER_RE, (whole, name: string) => (name in values ? escape(values[name as keyof Values]) : whole))
}

/** The mail of a template: placeholders filled, HTML-escaped in the HTML part. */
export function renderTemplate (template: MailTemplate, values: Values): { subject: string, text: string, html?: string } {
  const rendered = { subject: fill(template.subject, values, (s) => s), text: fill(template.text, values, (s) => s) }
  if (template.html === null) return rendered
  return { ...rendered, html: fill(template.html, values, (s) => s.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] ?? c)) }
}
