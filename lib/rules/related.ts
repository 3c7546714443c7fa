import type { Sql } from '../db/connection.js'
import { isApiError } from '../errors.js'
import type { CompiledEntity } from '../metadata/compiled.js'
import type { Registry } from '../metadata/registry.js'
import { filterFromCondition, loadIncludes, type SqlFilter } from '../query/index.js'
import type { WriteUnit } from '../write/hooks.js'
import { isObject, type Problems } from './problems.js'
import type { RelatedLoad } from './types.js'

/**
 * Compiles a `related_load` list: plain relation names or `{relation, filter?}` where filter
 * keys are written as in query strings (`status`, `status.in`) and `in`/`not_in` take an array
 * or a comma list. Relations are the entity's edge names (both directions of a relation).
 */
export function compileRelatedLoad (entity: CompiledEntity, raw: unknown, ctx: { registry: Registry, problems: Problems, at: string }): RelatedLoad[] {
  const { problems, at } = ctx
  if (raw === undefined || raw === null) return []
  if (!Array.isArray(raw)) {
    problems.add(at, 'type', `${at} must be a list of relation names or {relation, filter} objects`)
    return []
  }
  const out: RelatedLoad[] = []
  raw.forEach((item: unknown, i) => {
    const here = `${at}[${i}]`
    const spec = typeof item === 'string' ? { relation: item } : item
    if (!isObject(spec) || typeof spec.relation !== 'string') {
      problems.add(here, 'type', `${here} must be a relation name or {relation, filter}`)
      return
    }
    const extra = Object.keys(spec).find((k) => k !== 'relation' && k !== 'filter')
    if (extra !== undefined) problems.add(`${here}.${extra}`, 'unknown', `unknown key '${extra}' (allowed: relation, filter)`)
    const edge = entity.edges.get(spec.relation)
    const target = edge === undefined ? undefined : ctx.registry.entities.get(edge.to)
    if (edge === undefined || target === undefined) {
      const known = [...entity.edges.keys()]
      problems.add(`${here}.relation`, 'exists', `${entity.name} has no relation '${spec.relation}'${known.length > 0 ? ` (relations: ${known.join(', ')})` : ''}`)
      return
    }
    const filters = compileFilter(target, spec.filter, { problems, at: `${here}.filter` })
    out.push({ edge, filters, key: `${edge.name}|${JSON.stringify(spec.filter ?? null)}` })
  })
  return out
}

function compileFilter (target: CompiledEntity, raw: unknown, ctx: { problems: Problems, at: string }): SqlFilter[] {
  if (raw === undefined || raw === null) return []
  if (!isObject(raw)) {
    ctx.problems.add(ctx.at, 'type', `${ctx.at} must be an object of query-string filters`)
    return []
  }
  const out: SqlFilter[] = []
  for (const [key, value] of Object.entries(raw)) {
    // Field names cannot contain dots, so the last dot separates the operator.
    const dot = key.lastIndexOf('.')
    const field = dot === -1 ? key : key.slice(0, dot)
    const operator = dot === -1 ? 'eq' : key.slice(dot + 1)
    const list = (operator === 'in' || operator === 'not_in') && typeof value === 'string' ? value.split(',') : value
    try {
      out.push(filterFromCondition(target, { field, operator, value: list }))
    } catch (err) {
      if (!isApiError(err)) throw err
      ctx.problems.add(`${ctx.at}.${key}`, 'filter', err.details?.[0]?.message ?? err.message)
    }
  }
  return out
}

/**
 * Loads `related` for one evaluation: one query per load (through `loadIncludes`, so soft
 * deleted rows are excluded and keys are matched with `= ANY`), reading through the unit's
 * transaction when one is open. Many-sided relations give a list (empty when the record has no
 * key yet, i.e. on create), single-sided ones an object or null. `cache` shares loads between
 * the rules of one record.
 */
export async function loadRelated (
  unit: WriteUnit, at: { entity: CompiledEntity, record: Record<string, unknown> }, loads: readonly RelatedLoad[], cache: Map<string, unknown>
): Promise<Record<string, unknown>> {
  const related: Record<string, unknown> = {}
  for (const load of loads) {
    let value = cache.get(load.key)
    if (value === undefined) {
      value = await loadOne(unit, at, load)
      cache.set(load.key, value)
    }
    related[load.edge.name] = value
  }
  return related
}

async function loadOne (unit: WriteUnit, at: { entity: CompiledEntity, record: Record<string, unknown> }, load: RelatedLoad): Promise<unknown> {
  const { edge, filters } = load
  const holder: Record<string, unknown> = { [edge.localKey]: at.record[edge.localKey] ?? null }
  // loadIncludes only runs `unsafe` queries, which a transaction runs like the pool does.
  const sql = (unit.tx ?? unit.sql) as unknown as Sql
  await loadIncludes({ sql, registry: unit.registry }, at.entity, [holder], [edge], {
    includeWhere: (name) => (name === edge.to ? filters : [])
  })
  return holder[edge.name] ?? null
}
