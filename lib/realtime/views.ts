import { isAdmin, type UserContext } from '../apps/context.js'
import type { Registry } from '../metadata/registry.js'
import { fieldAccessFor, grantFor } from '../permissions/compile.js'
import { policiesOf } from '../permissions/module.js'
import type { RowTest } from '../permissions/match.js'
import { streamFields } from '../permissions/stream-fields.js'
import type { FieldAccess } from '../query/types.js'
import type { EntityView } from './event.js'
import type { EntityInterest } from './subscription.js'

/** What one subscriber may see of every entity it asked for, under one registry version. */
export interface SubscriberViews {
  registry: Registry
  byEntity: ReadonlyMap<string, EntityView | null>
  /**
   * Equal keys, equal events and bytes (docs/ARCHITECTURE.md "Realtime"): same entities, same
   * effective field sets, same filters (as text) and the same grant (by identity). The fan-out
   * encodes a batch once per key for all subscribers holding it.
   */
  key: string
}

/**
 * Ids of grant tests by identity. `grantFor` returns one cached grant per role set when no
 * condition references `$user`, so subscribers of that role set share an id (one permission
 * class); a grant resolved per user is a new function, hence an id (and a class) of its own.
 */
const identityIds = new WeakMap<RowTest | FieldAccess, number>()
let nextIdentityId = 1

function identityId (value: RowTest | FieldAccess): number {
  let id = identityIds.get(value)
  if (id === undefined) {
    id = nextIdentityId++
    identityIds.set(value, id)
  }
  return id
}

/** Null when the entity is gone or the subscriber may no longer read it at all. */
function buildView (registry: Registry, interest: EntityInterest, user: UserContext): EntityView | null {
  const entity = registry.entities.get(interest.entity)
  if (entity === undefined) return null
  if (isAdmin(user)) return { entity, interest, fields: interest.fields, grant: null }
  const g = grantFor(policiesOf(registry), { entity: entity.name, action: 'read', user })
  if (g.kind === 'none') return null
  const grant = g.kind === 'all' ? null : g.test
  // Field-level read permissions (docs/security.md): a fixed set narrows the view's own list once;
  // a set that depends on the row is applied per change by the fan-out (`fieldsOf`).
  const access = fieldAccessFor(policiesOf(registry), { entity: entity.name, action: 'read', user })
  if (access.kind === 'all') return { entity, interest, fields: interest.fields, grant }
  if (access.kind === 'fixed') return { entity, interest, fields: streamFields(entity, access, interest.fields, { record: null, old: null, action: 'create' }), grant }
  return { entity, interest, fields: interest.fields, grant, access }
}

function keyPart (name: string, view: EntityView | null): string {
  if (view === null) return JSON.stringify([name])
  const grant = view.grant === null ? 0 : identityId(view.grant)
  const access = view.access === undefined ? 0 : identityId(view.access)
  return JSON.stringify([name, view.fields, view.interest.filterTerms, grant, access])
}

/** The views of a subscriber under `registry` and their key. */
export function viewsOf (registry: Registry, interests: ReadonlyMap<string, EntityInterest>, user: UserContext): SubscriberViews {
  const byEntity = new Map<string, EntityView | null>()
  const parts: string[] = []
  for (const [name, interest] of interests) {
    const view = buildView(registry, interest, user)
    byEntity.set(name, view)
    parts.push(keyPart(name, view))
  }
  return { registry, byEntity, key: parts.sort().join('|') }
}
