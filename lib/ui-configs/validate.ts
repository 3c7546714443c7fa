import { validationFailed, type ErrorDetail } from '../errors.js'
import type { Registry } from '../metadata/registry.js'
import { shapeProblems } from '../schema/shape.js'
import { DEFAULT_SCOPE, UI_CONFIG_BODIES } from './schemas.js'

export { DEFAULT_SCOPE } from './schemas.js'

/** The writable part of a UI config. */
export interface UiConfigInput {
  entity: string
  scope: string
  config: Record<string, unknown>
}

/**
 * Checks a UI config body: its shape against the schema the route declares (`schemas.ts`; import
 * arrives without a route), and that `entity` names an existing entity. On update (`current`
 * given) omitted keys keep their stored values. Every problem is listed in one 422.
 */
export function parseUiConfig (body: unknown, registry: Registry, current?: UiConfigInput): UiConfigInput {
  const problems: ErrorDetail[] = shapeProblems(current === undefined ? UI_CONFIG_BODIES.create : UI_CONFIG_BODIES.update, body)
  const given = (problems.length === 0 ? body : {}) as Partial<UiConfigInput>
  const entity = given.entity ?? current?.entity
  if (problems.length === 0 && entity !== undefined && !registry.entities.has(entity)) {
    problems.push({ field: 'entity', rule: 'exists', message: `entity '${entity.slice(0, 100)}' does not exist` })
  }
  if (problems.length > 0) throw validationFailed(problems.length === 1 ? `Invalid UI config: ${problems[0]?.message ?? ''}` : 'Invalid UI config', problems)
  return { entity: entity as string, scope: given.scope ?? current?.scope ?? DEFAULT_SCOPE, config: given.config ?? current?.config ?? {} }
}
