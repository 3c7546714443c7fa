import { isObject, type Problems } from '../rules/problems.js'

/**
 * Webhook header templates (`{{env.NAME}}`). A tenant admin writes them, so they may read only
 * the variables the platform admin set aside for webhooks: names starting with
 * `ROCKET_WEBHOOK_ENV_` (docs/security.md). Anything else (`DATABASE_URL`, the JWT secrets,
 * `HOME`) is refused when the webhook or action is saved and again at delivery, for rows stored
 * before the rule existed or actions that were never validated.
 */
export const WEBHOOK_ENV_PREFIX = 'ROCKET_WEBHOOK_ENV_'

/** `{{env.NAME}}`: the only template a header value may hold. */
export const ENV_TEMPLATE_RE = /\{\{\s*env\.([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g

/** A template that cannot be resolved: the delivery fails rather than send a wrong or empty header. */
export class HeaderTemplateError extends Error {}

// eslint-disable-next-line no-control-regex
const INVALID_HEADER_VALUE_RE = /[\r\n\0]|[^\u0000-\u00ff]/

/** Whether a template may read this variable: the prefix and at least one more character. */
export function isWebhookEnvName (name: string): boolean {
  return name.length > WEBHOOK_ENV_PREFIX.length && name.startsWith(WEBHOOK_ENV_PREFIX)
}

/**
 * Adds a problem (422 detail at `at`) for every template in `value` that is not an allowed
 * `{{env.ROCKET_WEBHOOK_ENV_*}}`, and for anything template-like that is not `{{env.NAME}}`
 * (a typo the receiver would otherwise see verbatim).
 */
export function checkHeaderTemplate (problems: Problems, at: string, value: string): void {
  for (const match of value.matchAll(ENV_TEMPLATE_RE)) {
    const name = match[1] as string
    if (!isWebhookEnvName(name)) {
      problems.add(at, 'env', `${at}: {{env.${name.slice(0, 100)}}} is not allowed; header templates may read only ${WEBHOOK_ENV_PREFIX}* variables`)
    }
  }
  if (value.replace(ENV_TEMPLATE_RE, '').includes('{{')) problems.add(at, 'template', `${at}: the only template is {{env.${WEBHOOK_ENV_PREFIX}NAME}}`)
}

/**
 * Replaces `{{env.NAME}}` templates with the environment at dispatch time. Messages name only
 * the header and the variable its own template names, never another variable or a value.
 */
export function resolveHeaders (headers: Readonly<Record<string, string>>, env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [name, template] of Object.entries(headers)) {
    out[name] = template.replace(ENV_TEMPLATE_RE, (_m, variable: string) => {
      // Refused before the lookup, so a stored template cannot tell whether such a variable exists.
      if (!isWebhookEnvName(variable)) throw new HeaderTemplateError(`header ${name}: only ${WEBHOOK_ENV_PREFIX}* variables may be used`)
      const value = env[variable]
      if (value === undefined) throw new HeaderTemplateError(`header ${name}: environment variable ${variable} is not set`)
      // Checked here so that the HTTP client's error (which quotes the value) never reaches a log.
      if (INVALID_HEADER_VALUE_RE.test(value)) throw new HeaderTemplateError(`header ${name}: environment variable ${variable} is not a valid header value`)
      return value
    })
  }
  return out
}

/**
 * The `webhook` actions of a state-machine transition or a workflow action step (`actions`
 * at path `at`): their `headers` follow the same rule as a webhook's (422 detail at
 * `<at>[i].headers.<name>`). Checked when the definition is saved, not when it loads, so a
 * definition stored before the rule keeps working (its deliveries fail, see resolveHeaders).
 */
export function checkWebhookActions (problems: Problems, at: string, actions: unknown): void {
  if (!Array.isArray(actions)) return
  actions.forEach((action: unknown, i) => {
    if (!isObject(action) || action.type !== 'webhook' || !isObject(action.headers)) return
    for (const [name, value] of Object.entries(action.headers)) {
      if (typeof value === 'string') checkHeaderTemplate(problems, `${at}[${i}].headers.${name}`, value)
    }
  })
}
