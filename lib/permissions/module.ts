import { isAdmin, type UserContext } from '../apps/context.js'
import type { EngineModule } from '../engine/modules.js'
import { forbidden, notFound, type ApiError } from '../errors.js'
import type { ReadExtra, SqlCondition } from '../query/index.js'
import type { FieldAccess } from '../query/types.js'
import type { WriteNode, WriteUnit } from '../write/hooks.js'
import { checkWritten, needsWrittenCheck } from './after-write.js'
import { compilePolicies, fieldAccessFor, grantFor, type PolicySet } from './compile.js'
import { checkWrittenFields, fieldsNeedOld } from './write-fields.js'
import { PERMISSIONS, policiesOf } from './policies.js'
import { loadPermissions } from './store.js'

export { PERMISSIONS, policiesOf }

/** `WHERE FALSE`: an included entity the caller may not read at all is hidden entirely. */
const HIDDEN: SqlCondition[] = [{ any: [] }]

/** Read conditions of included entities: hidden without a read policy, filtered by its conditions. */
function includeWhere (set: PolicySet, user: UserContext | null): (entity: string) => SqlCondition[] {
  return (entity) => {
    const g = grantFor(set, { entity, action: 'read', user })
    return g.kind === 'none' ? HIDDEN : g.kind === 'all' ? [] : [g.where]
  }
}

/** Field access per entity for one request, each resolved once (a `$user.*` policy is resolved per call otherwise). */
function fieldsOfRequest (set: PolicySet, user: UserContext | null): (entity: string) => FieldAccess {
  const seen = new Map<string, FieldAccess>()
  return (entity) => {
    let access = seen.get(entity)
    if (access === undefined) {
      access = fieldAccessFor(set, { entity, action: 'read', user })
      seen.set(entity, access)
    }
    return access
  }
}

function denied (node: WriteNode, message: string): ApiError {
  return node.path === '' ? forbidden(message) : forbidden(message, [{ field: node.path, rule: 'permission', message }])
}

/** Whether the caller could read this row (decides 404 versus 403 for a refused update/delete). */
function readable (set: PolicySet, node: WriteNode, user: UserContext | null): boolean {
  const g = grantFor(set, { entity: node.entity.name, action: 'read', user })
  return g.kind === 'all' || (g.kind === 'some' && node.old !== null && g.test(node.old))
}

/**
 * Checks one record of a unit of work inside the write transaction: creates against the
 * incoming values, updates and deletes against the current row (locked FOR UPDATE); created
 * and updated rows are checked again as written (`after-write.ts`). Rows
 * removed by an `on_delete: cascade` follow the relation's policy and are not checked, nor
 * are units without a user (engine work such as scheduled jobs: HTTP requests always carry
 * one, and `authorize` refuses a request without one).
 * A refused root update/delete of a row the caller cannot read either is 404, as if it did
 * not exist; a readable but not writable row is 403.
 */
function checkNode (node: WriteNode, unit: WriteUnit): void {
  if (node.cascade === true || unit.user === null || isAdmin(unit.user)) return
  const set = policiesOf(unit.registry)
  const { entity, action } = node
  const grant = grantFor(set, { entity: entity.name, action, user: unit.user })
  if (grant.kind === 'all') return
  if (grant.kind === 'none') throw denied(node, `Not allowed to ${action} ${entity.name}`)
  const row = action === 'create' ? node.values : node.old ?? {}
  if (grant.test(row)) return
  if (action !== 'create' && node.path === '' && !readable(set, node, unit.user)) {
    throw notFound(`${entity.name} '${String(node.old?.[entity.pk.name] ?? '')}' not found`)
  }
  throw denied(node, `Not allowed to ${action} this ${entity.name}`)
}

/** `needsOld`: only a conditional grant (or fields that depend on the row) is checked against the current row. */
function needsOldRow (node: WriteNode, unit: WriteUnit): boolean {
  if (node.cascade === true || unit.user === null || isAdmin(unit.user)) return false
  const set = policiesOf(unit.registry)
  const grant = grantFor(set, { entity: node.entity.name, action: node.action, user: unit.user })
  return grant.kind === 'some' || fieldsNeedOld(node, unit)
}

/** `beforeWrite`: the row, then its fields (docs/security.md, "Field permissions"). */
function checkRecord (node: WriteNode, unit: WriteUnit): void {
  checkNode(node, unit)
  checkWrittenFields(node, unit)
}

/**
 * Permission policies (docs/reference.md, "Permissions"), first in the pipeline. Whitelist: without a matching
 * policy a non-admin caller gets 403; the `admin` role and platform tokens bypass. Reads get
 * the policy conditions as one extra WHERE term (lists, counts, get by id, includes) and as
 * `rowTest` (a write's response row); writes are checked per record in `beforeWrite` and,
 * under conditional grants, again on the written row in `afterRow`.
 */
export function permissionsModule (): EngineModule {
  return {
    name: PERMISSIONS,
    load: async (app, registry) => {
      registry.extensions.set(PERMISSIONS, compilePolicies(await loadPermissions(app.sql), registry))
    },
    authorize: ({ registry, entity, action, user }): ReadExtra | undefined => {
      if (isAdmin(user)) return undefined
      const set = policiesOf(registry)
      const grant = grantFor(set, { entity: entity.name, action, user })
      if (grant.kind === 'none') throw forbidden(`Not allowed to ${action} ${entity.name}`)
      if (action !== 'read') return undefined
      const extra: ReadExtra = { ...(grant.kind === 'some' ? { where: [grant.where], rowTest: grant.test } : {}), includeWhere: includeWhere(set, user) }
      if (set.restrictsFields) extra.fields = fieldsOfRequest(set, user)
      return extra
    },
    writeHooks: { name: PERMISSIONS, beforeWrite: checkRecord, needsOld: needsOldRow, afterRow: checkWritten, needsAfterRow: needsWrittenCheck }
  }
}
