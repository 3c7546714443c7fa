import { streamFields } from '../permissions/stream-fields.js'
import type { ChangeRow } from './changes.js'
import { eventData, frameOf, visibleAction, type ChangeAction, type EntityView } from './event.js'
import type { Subscriber } from './subscriber.js'

/** The SSE frames of one batch of changes, each encoded once per (change, action, field set). */
class FrameCache {
  private readonly byRow: Array<Map<string, Buffer> | undefined> = []

  constructor (private readonly rows: readonly ChangeRow[]) {}

  frame (index: number, view: EntityView, action: ChangeAction): Buffer {
    let frames = this.byRow[index]
    if (frames === undefined) {
      frames = new Map()
      this.byRow[index] = frames
    }
    const change = this.rows[index] as ChangeRow
    const fields = fieldsOf(view, change, action)
    const key = `${action}|${fields === null ? '*' : fields.join(',')}`
    let bytes = frames.get(key)
    if (bytes === undefined) {
      bytes = Buffer.from(frameOf({ id: change.id, event: action, data: eventData(view.entity, fields, change, action) }))
      frames.set(key, bytes)
    }
    return bytes
  }
}

/**
 * The fields one change's event carries in a view: the view's own list, or — when field
 * permissions depend on the row (docs/security.md, "Field permissions") — what both sides of
 * the change show.
 */
export function fieldsOf (view: EntityView, change: ChangeRow, action: ChangeAction): readonly string[] | null {
  if (view.access === undefined) return view.fields
  return streamFields(view.entity, view.access, view.fields, { record: change.record, old: change.old, action })
}

const CRLF = Buffer.from('\r\n')

/**
 * What one view group (subscribers sharing a view key) gets of a batch: its `count` frames,
 * concatenated once and framed once as an HTTP/1.1 chunk, so a chunked stream writes it to
 * its socket as is (`chunk`) and any other stream writes the frames themselves (`bytes`).
 */
export class SharedFrames {
  readonly chunk: Buffer
  readonly bytes: Buffer

  constructor (parts: readonly Buffer[], length: number, readonly count: number) {
    const head = Buffer.from(`${length.toString(16)}\r\n`)
    this.chunk = Buffer.concat([head, ...parts, CRLF], head.length + length + CRLF.length)
    this.bytes = this.chunk.subarray(head.length, head.length + length)
  }
}

function encodeGroup (views: ReadonlyMap<string, EntityView | null>, rows: readonly ChangeRow[], cache: FrameCache): SharedFrames | null {
  const parts: Buffer[] = []
  let length = 0
  for (let i = 0; i < rows.length; i++) {
    const change = rows[i] as ChangeRow
    const view = views.get(change.entity)
    if (view === undefined || view === null) continue
    const action = visibleAction(view, change)
    if (action === null) continue
    const bytes = cache.frame(i, view, action)
    parts.push(bytes)
    length += bytes.length
  }
  return parts.length === 0 ? null : new SharedFrames(parts, length, parts.length)
}

/**
 * Delivers one feed batch to every subscriber (docs/ARCHITECTURE.md "Realtime"). Subscribers
 * are grouped by view key; per group the permission and filter tests run once per change, each
 * visible frame is encoded once (and shared across groups with the same action and field set),
 * and the group's frames are concatenated (and chunk-framed) once: each member then gets ONE
 * socket write of the same buffer. A subscriber still replaying, or that already has part of the batch (it resumed
 * past the feed), takes the changes one by one instead.
 */
export function fanOut (rows: readonly ChangeRow[], subscribers: Iterable<Subscriber>): void {
  const first = rows[0]
  const last = rows.at(-1)
  if (first === undefined || last === undefined) return
  const cache = new FrameCache(rows)
  const groups = new Map<string, SharedFrames | null>()
  for (const sub of subscribers) {
    if (sub.ended) continue
    if (!sub.takesBatch(first.id)) {
      for (const change of rows) sub.offer(change)
      continue
    }
    const views = sub.currentViews()
    let frames = groups.get(views.key)
    if (frames === undefined) {
      frames = encodeGroup(views.byEntity, rows, cache)
      groups.set(views.key, frames)
    }
    sub.sendBatch(frames, last.id)
  }
}
