import { invalidPayload, unknownKeyDetails, validationFailed, type ErrorDetail } from '../errors.js'
import type { Registry } from '../metadata/registry.js'

/** The writable part of a UI config. */
export interface UiConfigInput {
  entity: string
  scope: string
  config: Record<string, unknown>
}

export const DEFAULT_SCOPE = 'default'
const SCOPE_RE = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,99}$/
const WRITABLE = ['entity', 'scope', 'config']
// Read-only keys of a stored config: a client may PUT back what it read.
const READ_ONLY = ['id', 'created_at', 'updated_at']

function isObject (value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/**
 * Checks a UI config body against the app's metadata: `entity` must name an existing entity,
 * `scope` a short label (default `default`), `config` a JSON object. On update (`current`
 * given) omitted keys keep their stored values. Every problem is listed in one 422.
 */
export function parseUiConfig (body: unknown, registry: Registry, current?: UiConfigInput): UiConfigInput {
  if (!isObject(body)) throw invalidPayload('Body must be a JSON object')
  const problems: ErrorDetail[] = []
  const add = (field: string, rule: string, message: string): void => { problems.push({ field, rule, message }) }
  problems.push(...unknownKeyDetails('', body, WRITABLE, READ_ONLY))
  // A key that is present counts even when null (null is then refused, not taken as "keep").
  const pick = (key: keyof UiConfigInput): unknown => Object.hasOwn(body, key) ? body[key] : current?.[key]
  const entity = pick('entity')
  const scope = Object.hasOwn(body, 'scope') ? body.scope : current?.scope ?? DEFAULT_SCOPE
  const config = pick('config')
  if (typeof entity !== 'string' || entity === '') add('entity', 'required', 'entity is required')
  else if (!registry.entities.has(entity)) add('entity', 'exists', `entity '${entity.slice(0, 100)}' does not exist`)
  if (typeof scope !== 'string' || !SCOPE_RE.test(scope)) add('scope', 'pattern', 'scope must be 1-100 letters, digits or _ . : -, starting with a letter or digit')
  if (config === undefined || config === null) add('config', 'required', 'config is required')
  else if (!isObject(config)) add('config', 'type', 'config must be a JSON object')
  if (problems.length > 0) throw validationFailed(problems.length === 1 ? `Invalid UI config: ${problems[0]?.message ?? ''}` : 'Invalid UI config', problems)
  return { entity: entity as string, scope: scope as string, config: config as Record<string, unknown> }
}
