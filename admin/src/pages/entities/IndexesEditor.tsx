import { createResource, For, Index, Show, type JSX } from 'solid-js'
import { listIndexes, type IndexStatusRow } from '../../api/query.js'
import type { IndexDef } from '../../api/types.js'
import { Badge, Button, Checkbox, Input } from '../../components/ui.js'

/** A field's `searchable` flag lives in the draft's pass-through keys (docs/QUERYING.md "Full-text search"). */
export function withSearchable (extra: Record<string, unknown>, on: boolean): Record<string, unknown> {
  const { searchable: _old, ...rest } = extra
  return on ? { ...rest, searchable: true } : rest
}

const fieldsText = (ix: IndexDef): string => ix.fields.join(', ')
const parseFields = (text: string): string[] => text.split(',').map((s) => s.trim()).filter((s) => s !== '')
const TONE = { ready: 'green', building: 'amber', failed: 'neutral' } as const

/**
 * The entity's declared `indexes` (docs/QUERYING.md "Declared indexes"): fields with `-` for
 * descending, unique; each saved index shows its build status from
 * `GET /_admin/entities/:name/indexes` (built after the save commits; refresh to follow).
 */
export function IndexesEditor (props: { app: string, entity: string | null, indexes: IndexDef[], onChange: (list: IndexDef[]) => void }): JSX.Element {
  // Refetched when the saved definition changes (the editor's draft is reset after a save).
  const [status, { refetch }] = createResource(() => (props.entity === null ? null : { name: props.entity, key: JSON.stringify(props.indexes) }), async (k) => await listIndexes(props.app, k.name))
  const statusOf = (ix: IndexDef): IndexStatusRow | undefined =>
    status.latest?.find((s) => s.fields.join(',') === ix.fields.join(',') && s.unique === (ix.unique === true))
  const set = (i: number, patch: Partial<IndexDef>): void => {
    props.onChange(props.indexes.map((ix, j) => (j === i ? { ...ix, ...patch } : ix)))
  }
  return (
    <div class='space-y-2 p-4' data-testid='indexes-editor'>
      <Index each={props.indexes}>
        {(ix, i) => (
          <div class='flex flex-wrap items-center gap-2' data-testid={`index-row-${i}`}>
            <Input name='index-fields' aria-label='Index fields' class='!w-72 font-mono' value={fieldsText(ix())} onChange={(e) => set(i, { fields: parseFields(e.currentTarget.value) })} placeholder='status, -created_at' />
            <Checkbox name='index-unique' label='Unique' checked={ix().unique === true} onChange={(v) => set(i, { unique: v })} />
            <Show when={statusOf(ix())} fallback={<span class='text-xs text-neutral-400' data-testid='index-status'>not saved</span>}>
              {(s) => (
                <span data-testid='index-status' data-status={s().status} title={s().error ?? s().name}>
                  <Badge tone={TONE[s().status]}>{s().status}</Badge>
                </span>
              )}
            </Show>
            <Button size='sm' variant='ghost' aria-label='Remove index' onClick={() => props.onChange(props.indexes.filter((_, j) => j !== i))}>✕</Button>
          </div>
        )}
      </Index>
      <div class='flex gap-2'>
        <Button size='sm' variant='secondary' onClick={() => props.onChange([...props.indexes, { fields: [] }])}>+ Index</Button>
        <Show when={props.entity !== null}>
          <Button size='sm' variant='ghost' onClick={() => { void refetch() }}>Refresh status</Button>
        </Show>
      </div>
      <For each={status.latest?.filter((s) => s.status === 'failed') ?? []}>
        {(s) => <p class='text-xs text-red-700'>{s.name}: {s.error ?? 'build failed'}</p>}
      </For>
    </div>
  )
}
