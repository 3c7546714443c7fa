import type { CompiledEntity } from '../metadata/compiled.js'
import type { FieldAccess } from '../query/types.js'
import type { RowTest } from './match.js'

/**
 * Field-level permissions (docs/security.md, "Field permissions"): what the matching policies
 * of a caller come to per field. A row shows the union of the fields of the policies whose
 * conditions it meets; the primary key always. Built once per role set (or per request when a
 * condition names `$user.*`), so the common cases cost nothing per row: no policy with `fields`
 * → `all`; a field set that cannot depend on the row → `fixed` (one serializer per response).
 */

/** One matching policy as far as fields go. `test` null: no conditions (every row). */
export interface PolicyFields {
  /** null = every field; else the listed fields plus the primary key. */
  fields: ReadonlySet<string> | null
  test: RowTest | null
  /** Fields its conditions read (a per-row decision needs them in the row). */
  reads: readonly string[]
}

export const ALL_FIELDS: FieldAccess = Object.freeze({ kind: 'all' })

function union (sets: Iterable<ReadonlySet<string>>): Set<string> {
  const out = new Set<string>()
  for (const s of sets) for (const f of s) out.add(f)
  return out
}

function intersection (sets: ReadonlyArray<ReadonlySet<string>>): Set<string> {
  const [first, ...rest] = sets
  const out = new Set<string>(first ?? [])
  for (const f of out) if (rest.some((s) => !s.has(f))) out.delete(f)
  return out
}

function subset (a: ReadonlySet<string>, b: ReadonlySet<string>): boolean {
  for (const f of a) if (!b.has(f)) return false
  return true
}

/** The listed fields plus the primary key (null stays null: every field). */
export function fieldSetOf (entity: CompiledEntity, fields: readonly string[] | null | undefined): ReadonlySet<string> | null {
  if (fields === null || fields === undefined) return null
  // A field dropped from the entity since the policy was saved simply grants nothing.
  return new Set([entity.pk.name, ...fields.filter((f) => entity.fields.has(f))])
}

/** What `policies` (all matching the caller, at least one) grant of the entity's fields. */
export function accessOf (entity: CompiledEntity, policies: readonly PolicyFields[]): FieldAccess {
  if (policies.every((p) => p.fields === null)) return ALL_FIELDS
  const all = new Set(entity.fieldList.map((f) => f.name))
  const setOf = (p: PolicyFields): ReadonlySet<string> => p.fields ?? all
  const unconditional = policies.filter((p) => p.test === null)
  const conditional = policies.filter((p) => p.test !== null)
  // Every row meets the unconditional policies: their union is the least any row shows.
  const base = union(unconditional.map(setOf))
  base.add(entity.pk.name)
  if (base.size === all.size) return ALL_FIELDS
  if (unconditional.length > 0 && conditional.every((p) => subset(setOf(p), base))) return { kind: 'fixed', fields: base }
  const first = setOf(policies[0] as PolicyFields)
  if (unconditional.length === 0 && policies.every((p) => setOf(p).size === first.size && subset(setOf(p), first))) {
    return { kind: 'fixed', fields: first }
  }
  const extra = conditional.map((p) => ({ fields: setOf(p), test: p.test as RowTest }))
  const every = unconditional.length > 0 ? base : intersection(conditional.map(setOf))
  return {
    kind: 'row',
    union: union([base, ...extra.map((p) => p.fields)]),
    every,
    reads: new Set(conditional.flatMap((p) => p.reads)),
    of: (row) => {
      const out = new Set(base)
      for (const p of extra) if (p.test(row)) for (const f of p.fields) out.add(f)
      return out
    }
  }
}

/** The fields a caller may see on every row (filters, sorts, aggregates, search). */
export function everyRowFields (access: FieldAccess): ReadonlySet<string> | null {
  return access.kind === 'all' ? null : access.kind === 'fixed' ? access.fields : access.every
}

/** The fields a caller may see on some row (`fields=` selections). */
export function someRowFields (access: FieldAccess): ReadonlySet<string> | null {
  return access.kind === 'all' ? null : access.kind === 'fixed' ? access.fields : access.union
}

/** The fields one row shows (null: every field). */
export function rowFields (access: FieldAccess, row: Readonly<Record<string, unknown>>): ReadonlySet<string> | null {
  return access.kind === 'all' ? null : access.kind === 'fixed' ? access.fields : access.of(row)
}
