import type { Sql } from '../db/connection.js'

/** One `_changes` row as the fan-out reads it (`record`/`old` already rendered as the API shows them). */
export interface ChangeRow {
  id: number
  entity: string
  record_id: string
  action: 'create' | 'update' | 'delete'
  record: Record<string, unknown> | null
  old: Record<string, unknown> | null
  at: Date
}

/**
 * Where a reader of `_changes` stands. Everything up to `after` has been delivered, and every
 * id at or below it is settled: committed and seen, or never to be committed.
 * `wait`: the reader saw a gap below `upTo` in a snapshot whose xmax was `xmax`; the gap is
 * settled once a later snapshot's xmin reaches that xmax (see `readSettled`).
 */
export interface FeedCursor {
  after: number
  wait: { xmax: bigint, upTo: number } | null
}

interface RawRow {
  xmin: string
  xmax: string
  id: string | null
  entity: string
  record_id: string
  action: ChangeRow['action']
  record: Record<string, unknown> | null
  old: Record<string, unknown> | null
  at: Date
}

/**
 * Reads the next changes after `cursor.after` that can be delivered without ever delivering a
 * smaller id later (gap-free, increasing ids), and the cursor to continue from.
 *
 * Ids come from a sequence at insert time, but transactions commit in any order: id 6 may be
 * visible while id 5's transaction still runs. The rule (docs/ARCHITECTURE.md "Realtime"):
 * a row R visible in snapshot S proves that the transaction holding any smaller id h had its
 * xid before R's insert (h's statement wrote its data row, which assigns the xid, before taking
 * h), hence before S was taken: xid(h) < xmax(S). So once a later snapshot has xmin ≥ xmax(S),
 * every transaction that could hold a gap below R has ended, and a gap still missing then was
 * rolled back. Until then, delivery stops at the gap. Dense ids (no sequence cache) make gaps
 * rare: only running or rolled-back transactions and the sequence's jump after a crash.
 * One statement, one snapshot: `pg_current_snapshot()` is the statement's own.
 */
export async function readSettled (sql: Sql, cursor: FeedCursor, limit: number): Promise<{ rows: ChangeRow[], cursor: FeedCursor, more: boolean }> {
  const raw = await sql<RawRow[]>`
    SELECT pg_snapshot_xmin(s.snap)::text AS xmin, pg_snapshot_xmax(s.snap)::text AS xmax,
           c.id::text AS id, c.entity, c.record_id, c.action, c.record, c.old, c.at
    FROM (SELECT pg_current_snapshot() AS snap) s
    LEFT JOIN LATERAL (SELECT * FROM _changes WHERE id > ${cursor.after} ORDER BY id LIMIT ${limit}) c ON true`
  const first = raw[0]
  if (first === undefined) return { rows: [], cursor, more: false }
  const xmin = BigInt(first.xmin)
  const xmax = BigInt(first.xmax)
  const settledUpTo = cursor.wait !== null && xmin >= cursor.wait.xmax ? cursor.wait.upTo : cursor.after
  const pendingWait = cursor.wait !== null && xmin < cursor.wait.xmax ? cursor.wait : null
  const rows: ChangeRow[] = []
  let after = cursor.after
  let blocked = false
  let lastSeen = cursor.after
  for (const r of raw) {
    if (r.id === null) break
    const id = Number(r.id)
    lastSeen = id
    if (blocked) continue
    if (id !== after + 1 && id > settledUpTo) { blocked = true; continue }
    rows.push({ id, entity: r.entity, record_id: r.record_id, action: r.action, record: r.record, old: r.old, at: r.at })
    after = id
  }
  // A gap seen now and not covered by a pending wait starts a new one from this snapshot.
  const wait = blocked ? (pendingWait ?? { xmax, upTo: lastSeen }) : (pendingWait !== null && pendingWait.upTo > after ? pendingWait : null)
  return { rows, cursor: { after, wait }, more: !blocked && raw.length >= limit }
}

/**
 * Where a new live feed starts: the newest change id (0 for none) once it is settled. A change
 * with a smaller id may still be committing when it is read; by the rule of `readSettled`, it
 * belongs to a transaction that was running at that snapshot, so this waits (polling every
 * `stepMs`) until the snapshot's xmin reaches that xmax, up to `maxWaitMs` (a long writing
 * transaction elsewhere on the server: the feed then starts anyway).
 */
export async function settledNewestId (sql: Sql, opts: { stepMs?: number, maxWaitMs?: number } = {}): Promise<number> {
  const [row] = await sql<Array<{ id: string | null, xmin: string, xmax: string }>>`
    SELECT (SELECT max(id)::text FROM _changes) AS id,
           pg_snapshot_xmin(pg_current_snapshot())::text AS xmin, pg_snapshot_xmax(pg_current_snapshot())::text AS xmax`
  const id = row?.id === null || row?.id === undefined ? 0 : Number(row.id)
  const xmax = BigInt(row?.xmax ?? '0')
  let xmin = BigInt(row?.xmin ?? '0')
  const until = Date.now() + (opts.maxWaitMs ?? 10_000)
  while (xmin < xmax && Date.now() < until) {
    await new Promise((resolve) => setTimeout(resolve, opts.stepMs ?? 20))
    const [now] = await sql<Array<{ xmin: string }>>`SELECT pg_snapshot_xmin(pg_current_snapshot())::text AS xmin`
    xmin = BigInt(now?.xmin ?? '0')
  }
  return id
}

/**
 * Whether a client's `Last-Event-ID` can be resumed from: the change it names is still retained
 * (a pruned one, or an id this database never gave out, means the client must reload: `reset`).
 * 0 means "from the start" and resumes only while the first change ever written is retained.
 */
export async function canResume (sql: Sql, lastId: number): Promise<boolean> {
  const [row] = lastId === 0
    ? await sql<Array<{ ok: boolean }>>`SELECT coalesce(min(id) = 1, true) AS ok FROM _changes`
    : await sql<Array<{ ok: boolean }>>`SELECT EXISTS (SELECT 1 FROM _changes WHERE id = ${lastId}) AS ok`
  return row?.ok === true
}

/** Retained changes with `after < id ≤ upTo` (all settled: `upTo` is a live feed's cursor), oldest first. */
export async function readRange (sql: Sql, after: number, upTo: number, limit: number): Promise<ChangeRow[]> {
  const rows = await sql<Array<Omit<ChangeRow, 'id'> & { id: string }>>`
    SELECT id::text AS id, entity, record_id, action, record, old, at FROM _changes
    WHERE id > ${after} AND id <= ${upTo} ORDER BY id LIMIT ${limit}`
  return rows.map((r) => ({ ...r, id: Number(r.id) }))
}

/**
 * Deletes changes older than `retentionSeconds`, oldest first, in batches that each look at no
 * more than `batch` rows (the oldest by id, through the primary key), so a pass never scans
 * the retained window. Returns how many rows were deleted.
 */
export async function pruneChanges (sql: Sql, retentionSeconds: number, batch = 5000): Promise<number> {
  let total = 0
  for (;;) {
    const res = await sql`
      DELETE FROM _changes WHERE id IN (
        SELECT id FROM (SELECT id, at FROM _changes ORDER BY id LIMIT ${batch}) o
        WHERE o.at < now() - make_interval(secs => ${retentionSeconds}))`
    total += res.count
    if (res.count < batch) return total
  }
}
