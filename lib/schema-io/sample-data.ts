import type { AppContext } from '../apps/context.js'
import { isApiError } from '../errors.js'
import type { CompiledEntity } from '../metadata/compiled.js'
import { isObject } from '../rules/problems.js'
import { createRecord, type WriteDeps } from '../write/index.js'
import { isKeyValue, keyText } from '../write/lookup.js'
import { arrayCastOf, run } from '../write/sql.js'
import { importLinks, linkRelation } from './sample-links.js'
import { dependencyOrder } from './order.js'
import { importSampleUsers, SAMPLE_USERS_KEY } from './sample-users.js'
import type { ImportOptions, Item, SampleReport } from './types.js'

/** One sample row on its way into the database. */
interface Pending {
  entity: CompiledEntity
  index: number
  row: Item
}

/** What every row insert needs: the write dependencies, the report and the keys already present. */
interface RowContext {
  deps: WriteDeps
  report: Record<string, SampleReport>
  /** Per entity, PKs present in the table (live or soft-deleted), as key text. */
  present: Map<string, Set<string>>
  opts: ImportOptions
}

const emptyReport = (): SampleReport => ({ created: 0, skipped: 0, errors: [] })

/** The write hooks sample rows run through: only the audit log and the realtime outbox (no rules, state machines, webhooks or workflows). */
export function sampleDataHooks<T extends { name: string }> (all: readonly T[]): T[] {
  return all.filter((h) => h.name === 'audit' || h.name === 'realtime')
}

/** PKs among `rows` that already exist in the entity's table (soft-deleted rows included: their key is taken). */
async function presentKeys (app: AppContext, entity: CompiledEntity, rows: readonly unknown[]): Promise<Set<string>> {
  const pk = entity.pk
  const keys = rows.flatMap((r) => (isObject(r) && isKeyValue(pk, r[pk.name]) ? [keyText(pk, r[pk.name])] : []))
  if (keys.length === 0) return new Set()
  const text = `SELECT ${pk.column} AS k FROM ${entity.table} WHERE ${pk.column} = ANY($1${arrayCastOf(pk)})`
  const found = await run(app.sql, { text, params: [keys] }, { entity, loc: { path: '' } })
  return new Set(found.map((r) => keyText(pk, r.k)))
}

function isForeignKeyError (err: unknown): boolean {
  return isApiError(err) && (err.details ?? []).some((d) => d.rule === 'foreign_key')
}

function reportError (ctx: RowContext, p: Pending, err: unknown): void {
  const id = p.row[p.entity.pk.name]
  const errors = ctx.report[p.entity.name]?.errors
  if (isApiError(err)) {
    errors?.push({ index: p.index, ...(id !== undefined ? { id } : {}), message: err.message, ...(err.details !== undefined ? { details: err.details } : {}) })
    return
  }
  ctx.opts.onError?.(err, `sample_data.${p.entity.name}[${p.index}]`)
  errors?.push({ index: p.index, ...(id !== undefined ? { id } : {}), message: 'Internal error while importing this row' })
}

/**
 * Inserts one row through the normal create path (validation, conversion, defaults, slug,
 * auto timestamps) with the reduced hook set. A row whose PK is present is skipped. Returns
 * the error instead of throwing, so that the caller can retry FK failures later.
 */
async function insertRow (ctx: RowContext, p: Pending): Promise<unknown> {
  const { entity, row } = p
  const pk = entity.pk
  const present = ctx.present.get(entity.name) ?? new Set<string>()
  ctx.present.set(entity.name, present)
  const report = ctx.report[entity.name] as SampleReport
  if (isKeyValue(pk, row[pk.name]) && present.has(keyText(pk, row[pk.name]))) {
    report.skipped++
    return null
  }
  try {
    const written = await createRecord(ctx.deps, entity, row)
    present.add(keyText(pk, written[pk.name]))
    report.created++
    return null
  } catch (err) {
    return err
  }
}

/**
 * Rows whose reference was not there yet (a self-reference listed before its target, a cycle
 * between entities) are tried again after the others, as long as a pass makes progress.
 */
async function retryDeferred (ctx: RowContext, deferred: Pending[]): Promise<void> {
  let waiting = deferred
  let last = new Map<Pending, unknown>()
  while (waiting.length > 0) {
    const still: Pending[] = []
    last = new Map()
    for (const p of waiting) {
      const err = await insertRow(ctx, p)
      if (err !== null) { still.push(p); last.set(p, err) }
    }
    if (still.length === waiting.length) break
    waiting = still
  }
  for (const [p, err] of last) reportError(ctx, p, err)
}

/** After rows were inserted with their own ids, identity sequences continue after the largest one. */
async function syncIdentity (app: AppContext, entity: CompiledEntity): Promise<void> {
  const pk = entity.def.primary_key
  if (pk.generated !== true || entity.pk.spec.primaryKey?.identity !== true) return
  const text = `SELECT setval(pg_get_serial_sequence($1::text, $2::text), m) AS v FROM (SELECT max(${entity.pk.column}) AS m FROM ${entity.table}) s WHERE m IS NOT NULL`
  await run(app.sql, { text, params: [entity.table, pk.field] }, { entity, loc: { path: '' } })
}

async function importEntityRows (app: AppContext, ctx: RowContext, at: { entity: CompiledEntity, rows: readonly unknown[] }, deferred: Pending[]): Promise<void> {
  const { entity, rows } = at
  ctx.present.set(entity.name, await presentKeys(app, entity, rows))
  for (const [index, row] of rows.entries()) {
    if (!isObject(row)) {
      ctx.report[entity.name]?.errors.push({ index, message: 'a sample row must be a JSON object' })
      continue
    }
    const p: Pending = { entity, index, row }
    const err = await insertRow(ctx, p)
    if (err === null) continue
    if (isForeignKeyError(err)) deferred.push(p)
    else reportError(ctx, p, err)
  }
}

/**
 * Loads `sample_data` (docs/reference.md, "Export and import") as a data import: rows of each entity in dependency order, with
 * their given ids, values checked and converted like a normal write, but without state-machine
 * transition checks, rules, webhooks or workflow triggers (only `opts.hooks`); rows already
 * present (same PK) are skipped. `_users` rows become app users first (`sample-users.ts`).
 * Then join rows of many_to_many relations (keyed by relation name). Each row is its own unit of work: a bad row is reported and the others proceed.
 */
export async function importSampleData (app: AppContext, data: ReadonlyMap<string, readonly unknown[]>, opts: ImportOptions): Promise<Record<string, SampleReport>> {
  const registry = app.registry
  const report: Record<string, SampleReport> = {}
  const entityKeys: string[] = []
  for (const key of data.keys()) {
    report[key] = emptyReport()
    if (key === SAMPLE_USERS_KEY) continue
    if (registry.entities.has(key)) entityKeys.push(key)
    else if (linkRelation(registry, key) === undefined) {
      report[key].errors.push({ message: `'${key.slice(0, 100)}' is neither an entity nor a many_to_many relation` })
    }
  }
  // Users first: entity rows may refer to them (an owner's id), never the other way round.
  const users = data.get(SAMPLE_USERS_KEY)
  if (users !== undefined) report[SAMPLE_USERS_KEY] = await importSampleUsers(app, users, opts)
  const deps: WriteDeps = { sql: app.sql, registry, user: opts.user, hooks: opts.hooks, ...(opts.onError !== undefined ? { onHookError: opts.onError } : {}) }
  const ctx: RowContext = { deps, report, present: new Map(), opts }
  const deferred: Pending[] = []
  for (const key of dependencyOrder(entityKeys, registry.relationDefs)) {
    await importEntityRows(app, ctx, { entity: registry.entities.get(key) as CompiledEntity, rows: data.get(key) ?? [] }, deferred)
  }
  await retryDeferred(ctx, deferred)
  for (const key of entityKeys) {
    if ((report[key]?.created ?? 0) > 0) await syncIdentity(app, registry.entities.get(key) as CompiledEntity)
  }
  for (const [key, rows] of data) {
    const rel = linkRelation(registry, key)
    if (rel !== undefined && !registry.entities.has(key)) await importLinks(app, { relation: rel, rows, report: report[key] as SampleReport })
  }
  return report
}
