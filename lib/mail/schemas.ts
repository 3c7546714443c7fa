import { MAIL_KINDS } from './templates.js'

/** Route schemas of `/_admin/mail-templates` and `/_admin/mail-settings` (docs/ARCHITECTURE.md, "Route schemas"). */
const tags = ['admin']

const template = {
  type: 'object',
  additionalProperties: false,
  required: ['kind', 'subject', 'text', 'html', 'is_default', 'updated_at'],
  properties: {
    kind: { type: 'string', enum: [...MAIL_KINDS] },
    subject: { type: 'string' },
    text: { type: 'string' },
    html: { type: ['string', 'null'] },
    is_default: { type: 'boolean', description: 'True while the built-in text is used.' },
    updated_at: { type: ['string', 'null'], format: 'date-time' }
  }
}
const one = { type: 'object', required: ['data'], properties: { data: template } }
// Not closed: the path also holds the app's name.
const kindParams = { type: 'object', required: ['kind'], properties: { kind: { type: 'string', enum: [...MAIL_KINDS] } } }

export const listTemplatesSchema = {
  operationId: 'admin_list_mail_templates',
  summary: 'List the mail templates (reset, verify, invite)',
  tags,
  response: { 200: { type: 'object', required: ['data'], properties: { data: { type: 'array', items: template } } } }
}

export const getTemplateSchema = { operationId: 'admin_get_mail_template', summary: 'Get a mail template', tags, params: kindParams, response: { 200: one } }

export const putTemplateSchema = {
  operationId: 'admin_set_mail_template',
  summary: 'Set a mail template',
  description: 'Placeholders: `{{link}}` (required in `text`), `{{email}}`, `{{app}}`; values are HTML-escaped in `html`.',
  tags,
  params: kindParams,
  body: {
    type: 'object',
    additionalProperties: false,
    required: ['subject', 'text'],
    properties: {
      subject: { type: 'string', minLength: 1, maxLength: 200 },
      text: { type: 'string', minLength: 1, maxLength: 20_000 },
      html: { type: ['string', 'null'], maxLength: 100_000 }
    }
  },
  response: { 200: one }
}

export const deleteTemplateSchema = { operationId: 'admin_reset_mail_template', summary: 'Go back to the built-in mail template', tags, params: kindParams, response: { 200: one } }

const settings = {
  type: 'object',
  required: ['data'],
  properties: {
    data: {
      type: 'object',
      required: ['app_url', 'effective_app_url', 'transport'],
      properties: {
        app_url: { type: ['string', 'null'], description: 'Base of the links in mails; null: the server\'s `PUBLIC_URL`.' },
        effective_app_url: { type: 'string' },
        transport: { type: 'string', enum: ['smtp', 'log'], description: '`log` while `SMTP_URL` is unset.' }
      }
    }
  }
}

export const getSettingsSchema = { operationId: 'admin_get_mail_settings', summary: 'Get the app\'s mail settings', tags, response: { 200: settings } }

export const putSettingsSchema = {
  operationId: 'admin_set_mail_settings',
  summary: 'Set the app\'s mail settings',
  tags,
  body: { type: 'object', additionalProperties: false, required: ['app_url'], properties: { app_url: { type: ['string', 'null'], maxLength: 2000 } } },
  response: { 200: settings }
}
