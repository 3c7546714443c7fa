import { validationFailed } from '../errors.js'
import type { CompiledEntity } from '../metadata/compiled.js'
import { detailAt } from './split.js'
import { keyText } from './lookup.js'
import { run, type Queryable } from './sql.js'
import type { WriteNode } from './hooks.js'
import type { Location } from './types.js'

const MAX_SLUG = 120

/**
 * URL slug of a text (docs/reference.md, "Metadata: entities, fields, relations"): accents stripped (NFD, combining marks removed), lowercase,
 * every run of other characters becomes '-', no leading/trailing '-'.
 */
export function slugify (input: string): string {
  const s = input.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase().replace(/[^a-z0-9]+/g, '-')
  return s.slice(0, MAX_SLUG).replace(/^-+|-+$/g, '')
}

function isBlank (v: unknown): boolean {
  return v === undefined || v === null || v === ''
}

/**
 * Sets the node's slug when the entity has one and it is due: on create when the client sent
 * none, on update only with `regenerate_on_update` and a changed source. A client-supplied slug
 * is kept as given. Runs inside the transaction, after beforeWrite hooks (which may set the source).
 */
export async function applySlug (tx: Queryable, node: WriteNode, loc: Location): Promise<void> {
  const { entity, values, old } = node
  const def = entity.def.slug
  if (def === undefined || !isBlank(values[def.field])) return
  if (node.action === 'update') {
    if (def.regenerate_on_update !== true || !Object.hasOwn(values, def.source)) return
    if (String(values[def.source] ?? '') === String(old?.[def.source] ?? '')) return
  }
  const source = Object.hasOwn(values, def.source) ? values[def.source] : old?.[def.source]
  if (isBlank(source)) {
    // A required slug left blank on create: nothing to generate it from (lib/write/required.ts lets it through for this).
    if (node.action === 'create' && entity.fields.get(def.field)?.def.required === true) {
      throw validationFailed('Validation failed', [detailAt(loc, { field: def.field, rule: 'required', message: `${def.field} is required (give it, or ${def.source} to generate it from)` })])
    }
    return
  }
  // A source made only of symbols still needs a usable slug.
  const base = slugify(String(source)) || entity.name.replace(/_/g, '-')
  const self = old === null ? null : old[entity.pk.name]
  values[def.field] = await uniqueSlug(tx, { entity, base, self, loc })
}

/**
 * `base`, or `base-2`, `base-3`... whichever is free among live rows. A transaction-scoped
 * advisory lock on (table, base) makes concurrent writers of the same base take turns, so two
 * transactions cannot both pick the same suffix.
 */
async function uniqueSlug (tx: Queryable, at: { entity: CompiledEntity, base: string, self: unknown, loc: Location }): Promise<string> {
  const { entity, base, self, loc } = at
  const field = entity.fields.get(entity.def.slug?.field ?? '')
  if (field === undefined) return base
  const site = { entity, loc }
  await run(tx, { text: 'SELECT pg_advisory_xact_lock(hashtext($1::text)) AS l', params: [`${entity.def.table}:${base}`] }, site)
  const live = entity.liveCondition !== '' ? ` AND ${entity.liveCondition}` : ''
  // Slugs hold only [a-z0-9-], so the LIKE pattern needs no escaping.
  const text = `SELECT ${field.column} AS s, ${entity.pk.column} AS k FROM ${entity.table} WHERE (${field.column} = $1::text OR ${field.column} LIKE $2::text)${live}`
  const rows = await run(tx, { text, params: [base, `${base}-%`] }, site)
  const selfKey = self === null || self === undefined ? null : keyText(entity.pk, self)
  const taken = new Set<string>()
  for (const r of rows) if (selfKey === null || keyText(entity.pk, r.k) !== selfKey) taken.add(String(r.s))
  if (!taken.has(base)) return base
  let n = 2
  while (taken.has(`${base}-${n}`)) n++
  return `${base}-${n}`
}
