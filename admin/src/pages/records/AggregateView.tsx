import { createSignal, For, Show, type JSX } from 'solid-js'
import type { Query } from '../../api/client.js'
import { aggregateRecords, type AggregateGroup } from '../../api/query.js'
import type { EntityDef } from '../../api/types.js'
import { ErrorPanel } from '../../components/ErrorPanel.js'
import { Button, Select, Table, TD, TH } from '../../components/ui.js'

const NUMERIC = new Set(['int', 'bigint', 'decimal', 'float'])

/**
 * Group by a field, count and sum a numeric field through `GET /:entity/_aggregate`
 * (docs/QUERYING.md "Aggregates"), with the browser's current filters and search.
 */
export function AggregateView (props: { app: string, entity: EntityDef, filters: () => Query }): JSX.Element {
  const groupable = (): EntityDef['fields'] => props.entity.fields.filter((f) => f.type !== 'json' && f.type !== 'file')
  const numeric = (): EntityDef['fields'] => props.entity.fields.filter((f) => NUMERIC.has(f.type))
  const [groupBy, setGroupBy] = createSignal(groupable()[0]?.name ?? '')
  const [sum, setSum] = createSignal('')
  const [groups, setGroups] = createSignal<AggregateGroup[] | null>(null)
  const [error, setError] = createSignal<unknown>(null)
  const run = async (): Promise<void> => {
    setError(null)
    const q: Query = { ...props.filters(), group_by: groupBy(), count: '*' }
    if (sum() !== '') q.sum = sum()
    try { setGroups(await aggregateRecords(props.app, props.entity.name, q)) } catch (err) { setError(err) }
  }
  return (
    <div class='space-y-2 border-t border-neutral-100 pt-3' data-testid='aggregate-view'>
      <div class='flex flex-wrap items-center gap-2'>
        <span class='text-xs font-medium text-neutral-500'>Aggregate</span>
        <Select name='aggregate-group-by' aria-label='Group by' class='!w-44' value={groupBy()} onChange={(e) => setGroupBy(e.currentTarget.value)}>
          <For each={groupable()}>{(f) => <option value={f.name}>{f.name}</option>}</For>
        </Select>
        <Select name='aggregate-sum' aria-label='Sum of' class='!w-44' value={sum()} onChange={(e) => setSum(e.currentTarget.value)}>
          <option value=''>no sum</option>
          <For each={numeric()}>{(f) => <option value={f.name}>sum of {f.name}</option>}</For>
        </Select>
        <Button size='sm' variant='secondary' onClick={() => { void run() }}>Group and count</Button>
      </div>
      <ErrorPanel error={error()} />
      <Show when={groups()}>
        {(list) => (
          <Table testId='aggregate-table' head={<><TH>{groupBy()}</TH><TH>count</TH><Show when={sum() !== ''}><TH>sum of {sum()}</TH></Show></>}>
            <For each={list()}>
              {(g) => (
                <tr data-testid='aggregate-row'>
                  <TD class='font-mono'>{String(g[groupBy()] ?? '∅')}</TD>
                  <TD>{g.count ?? ''}</TD>
                  <Show when={sum() !== ''}><TD>{g.sum?.[sum()] ?? '∅'}</TD></Show>
                </tr>
              )}
            </For>
          </Table>
        )}
      </Show>
    </div>
  )
}
