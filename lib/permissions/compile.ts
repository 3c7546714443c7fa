import type { UserContext } from '../apps/context.js'
import type { CompiledEntity } from '../metadata/compiled.js'
import type { Registry } from '../metadata/registry.js'
import { filterFromCondition, type SqlCondition, type SqlFilter } from '../query/index.js'
import type { FieldAccess } from '../query/types.js'
import { ALL_FIELDS, accessOf, fieldSetOf } from './field-access.js'
import { rowTestOf, type RowTest } from './match.js'
import { USER_REF_PREFIX, userRefOf, type ConditionDef, type PermissionAction, type PermissionInput } from './types.js'

/** One condition, converted once: `fixed` when its value names no `$user.*` attribute. */
interface CompiledCondition {
  def: ConditionDef
  fixed: { filter: SqlFilter, test: RowTest } | null
}

interface CompiledPolicy {
  roles: ReadonlySet<string>
  /** ANDed; empty = every row. */
  conditions: CompiledCondition[]
  /** Some value references the caller: the grant must be resolved per user. */
  perUser: boolean
  /** Field-level permission: the granted fields plus the PK; null = every field. */
  fields: ReadonlySet<string> | null
}

/** What the matching policies of one role set come to (cached per role set and bucket). */
interface RoleEntry {
  policies: CompiledPolicy[]
  /** The grant itself when it does not depend on the user. */
  grant: Grant | null
  /** The field access when it does not depend on the user (docs/security.md, "Field permissions"). */
  access: FieldAccess | null
}

interface Bucket {
  entity: CompiledEntity
  policies: CompiledPolicy[]
  byRoles: Map<string, RoleEntry>
  /** Some policy of the bucket lists `fields`: without one, field access is `all` at no cost. */
  restrictsFields: boolean
}

/** Compiled policies of one registry version, by `entity:action`. */
export interface PolicySet {
  buckets: ReadonlyMap<string, Bucket>
  /** Some policy lists `fields`: reads then carry a field-access lookup (else none at all). */
  restrictsFields: boolean
}

/**
 * What a caller may do with one entity and action: nothing (403), every row, or the rows
 * matching `where` (SQL) / `test` (the same condition evaluated in memory).
 */
export type Grant =
  | { kind: 'none' }
  | { kind: 'all' }
  | { kind: 'some', where: SqlCondition, test: RowTest }

const NONE: Grant = { kind: 'none' }
const ALL: Grant = { kind: 'all' }
/** Role sets cached per bucket before the cache is reset (a bound against unbounded role mixes). */
const MAX_ROLE_SETS = 1000

function bucketKey (entity: string, action: PermissionAction): string {
  return `${entity}:${action}`
}

function hasRef (value: unknown): boolean {
  const isRef = (v: unknown): boolean => typeof v === 'string' && v.startsWith(USER_REF_PREFIX)
  return Array.isArray(value) ? value.some(isRef) : isRef(value)
}

/** Null when the condition no longer fits the entity (a field was dropped or retyped): the policy grants nothing. */
function compileCondition (entity: CompiledEntity, def: ConditionDef): CompiledCondition | null {
  if (hasRef(def.value)) return entity.fields.has(def.field) ? { def, fixed: null } : null
  try {
    const filter = filterFromCondition(entity, def)
    return { def, fixed: { filter, test: rowTestOf(filter) } }
  } catch {
    return null
  }
}

/**
 * Compiles stored policies against a registry version, once per metadata change. Policies of
 * unknown entities are left out; a policy whose conditions no longer fit the entity grants
 * nothing (failing closed rather than dropping a condition).
 */
export function compilePolicies (defs: readonly PermissionInput[], registry: Registry): PolicySet {
  const buckets = new Map<string, Bucket>()
  for (const def of defs) {
    const entity = registry.entities.get(def.entity)
    if (entity === undefined) continue
    const conditions: CompiledCondition[] = []
    let broken = false
    for (const c of def.conditions) {
      const compiled = compileCondition(entity, c)
      if (compiled === null) broken = true
      else conditions.push(compiled)
    }
    if (broken) continue
    const key = bucketKey(def.entity, def.action)
    let bucket = buckets.get(key)
    if (bucket === undefined) {
      bucket = { entity, policies: [], byRoles: new Map(), restrictsFields: false }
      buckets.set(key, bucket)
    }
    const fields = fieldSetOf(entity, def.fields)
    if (fields !== null) bucket.restrictsFields = true
    bucket.policies.push({ roles: new Set(def.roles), conditions, perUser: conditions.some((c) => c.fixed === null), fields })
  }
  return { buckets, restrictsFields: [...buckets.values()].some((b) => b.restrictsFields) }
}

/** The condition's value with `$user.*` references replaced; undefined when one cannot be resolved. */
function resolveValue (value: unknown, user: UserContext): unknown {
  const one = (v: unknown): unknown => {
    const ref = userRefOf(v)
    if (ref === undefined) return v
    const resolved = user[ref]
    return typeof resolved === 'string' && resolved !== '' ? resolved : undefined
  }
  if (!Array.isArray(value)) return one(value)
  const out = value.map(one)
  return out.includes(undefined) ? undefined : out
}

/** The AND-group of one policy for this user; null when a reference does not resolve (the group grants nothing). */
function groupOf (entity: CompiledEntity, policy: CompiledPolicy, user: UserContext | null): Array<{ filter: SqlFilter, test: RowTest }> | null {
  const out: Array<{ filter: SqlFilter, test: RowTest }> = []
  for (const c of policy.conditions) {
    if (c.fixed !== null) { out.push(c.fixed); continue }
    const value = user === null ? undefined : resolveValue(c.def.value, user)
    if (value === undefined) return null
    try {
      const filter = filterFromCondition(entity, { ...c.def, value })
      out.push({ filter, test: rowTestOf(filter) })
    } catch {
      return null
    }
  }
  return out
}

function combine (entity: CompiledEntity, policies: readonly CompiledPolicy[], user: UserContext | null): Grant {
  if (policies.length === 0) return NONE
  if (policies.some((p) => p.conditions.length === 0)) return ALL
  const groups: Array<Array<{ filter: SqlFilter, test: RowTest }>> = []
  for (const p of policies) {
    const g = groupOf(entity, p, user)
    if (g !== null) groups.push(g)
  }
  const where: SqlCondition = { any: groups.map((g) => g.map((c) => c.filter)) }
  const tests = groups.map((g) => g.map((c) => c.test))
  return { kind: 'some', where, test: (row) => tests.some((g) => g.every((t) => t(row))) }
}

function roleEntry (bucket: Bucket, roles: readonly string[]): RoleEntry {
  const key = roles.join('\u0001')
  let entry = bucket.byRoles.get(key)
  if (entry === undefined) {
    const policies = bucket.policies.filter((p) => roles.some((r) => p.roles.has(r)))
    const perUser = policies.some((p) => p.perUser)
    const grant = perUser ? null : combine(bucket.entity, policies, null)
    const access = perUser ? null : fieldsOf(bucket, policies, null)
    entry = { policies, grant, access }
    if (bucket.byRoles.size >= MAX_ROLE_SETS) bucket.byRoles.clear()
    bucket.byRoles.set(key, entry)
  }
  return entry
}

/**
 * The grant of `user` for an entity and action: a policy matches when it is for that entity
 * and action and the user holds one of its roles; a row is granted when all conditions of at
 * least one matching policy hold (OR of ANDs). No matching policy: `none`. Per request this
 * is a map lookup, plus resolving `$user.*` values when a matching policy has them.
 */
export function grantFor (set: PolicySet, ask: { entity: string, action: PermissionAction, user: UserContext | null }): Grant {
  const { user } = ask
  const bucket = set.buckets.get(bucketKey(ask.entity, ask.action))
  if (bucket === undefined || user === null) return NONE
  const entry = roleEntry(bucket, user.roles)
  return entry.grant ?? combine(bucket.entity, entry.policies, user)
}

/** Field access of matching policies: a policy's row test is its AND-group (an unresolvable `$user.*` group never matches). */
function fieldsOf (bucket: Bucket, policies: readonly CompiledPolicy[], user: UserContext | null): FieldAccess {
  if (!bucket.restrictsFields || policies.length === 0) return ALL_FIELDS
  return accessOf(bucket.entity, policies.map((p) => {
    const reads = p.conditions.map((c) => c.def.field)
    if (p.conditions.length === 0) return { fields: p.fields, test: null, reads }
    const group = groupOf(bucket.entity, p, user)
    const tests = group?.map((c) => c.test) ?? null
    return { fields: p.fields, test: tests === null ? () => false : (row) => tests.every((t) => t(row)), reads }
  }))
}

/**
 * The fields `user` may read (action `read`) or write (`create`/`update`) of an entity under
 * the matching policies: per row, the union of the fields of the policies whose conditions the
 * row meets (docs/security.md, "Field permissions"). A map lookup per request unless a matching
 * policy names `$user.*`; `all` (no work at all) when no policy of the entity lists fields.
 */
export function fieldAccessFor (set: PolicySet, ask: { entity: string, action: PermissionAction, user: UserContext | null }): FieldAccess {
  const { user } = ask
  const bucket = set.buckets.get(bucketKey(ask.entity, ask.action))
  if (bucket === undefined || user === null || !bucket.restrictsFields) return ALL_FIELDS
  const entry = roleEntry(bucket, user.roles)
  return entry.access ?? fieldsOf(bucket, entry.policies, user)
}
