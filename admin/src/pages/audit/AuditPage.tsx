import { useParams } from '@solidjs/router'
import { createResource, createSignal, For, Show, type JSX } from 'solid-js'
import { listEntities } from '../../api/metadata.js'
import { audit } from '../../api/ops.js'
import { pretty, when } from '../../components/forms.js'
import { createPaging } from '../../components/list-state.js'
import { ResourceTable } from '../../components/ResourceList.js'
import { Badge, Button, Card, Input, PageHeader, Select, TD } from '../../components/ui.js'

interface Filters { entity: string, record_id: string, action: string }
const TONES = { create: 'green', update: 'blue', delete: 'amber' } as const

/** The audit log: every create / update / delete with its changes, by entity, record and action. */
export function AuditPage (): JSX.Element {
  const params = useParams<{ app: string }>()
  const [filters, setFilters] = createSignal<Filters>({ entity: '', record_id: '', action: '' })
  const paging = createPaging()
  const [list, { refetch }] = createResource(() => ({ app: params.app, ...filters(), ...paging.query() }), async ({ app, ...q }) => await audit(app, q))
  const [entities] = createResource(() => params.app, listEntities)
  const [recordId, setRecordId] = createSignal('')
  const [open, setOpen] = createSignal<string | null>(null)
  const filter = (patch: Partial<Filters>): void => { setFilters((f) => ({ ...f, ...patch })); paging.firstPage() }

  return (
    <>
      <PageHeader title='Audit log' subtitle='Written in the same transaction as each change.' />
      <Card actions={<Button size='sm' variant='secondary' onClick={() => { void refetch() }}>Refresh</Button>} title='Changes'>
        <div class='grid gap-2 border-b border-neutral-200 p-4 md:grid-cols-3'>
          <Select name='audit-entity' value={filters().entity} onChange={(e) => { filter({ entity: e.currentTarget.value }) }}>
            <option value=''>every entity</option>
            <For each={entities.latest}>{(en) => <option value={en.name}>{en.name}</option>}</For>
          </Select>
          <form onSubmit={(e) => { e.preventDefault(); filter({ record_id: recordId().trim() }) }}>
            <Input name='audit-record' class='font-mono' placeholder='record id (Enter)' value={recordId()} onInput={(e) => setRecordId(e.currentTarget.value)} />
          </form>
          <Select name='audit-action' value={filters().action} onChange={(e) => { filter({ action: e.currentTarget.value }) }}>
            <option value=''>every action</option>
            <For each={['create', 'update', 'delete']}>{(a) => <option value={a}>{a}</option>}</For>
          </Select>
        </div>
        <ResourceTable testId='audit-table' columns={['At', 'Action', 'Entity', 'Record', 'User', 'Changes']} items={list.latest?.data} meta={list.latest?.meta} paging={paging} error={list.error} empty='No entries match.'>
          {(a) => (
            <tr data-testid='audit-row'>
              <TD class='text-xs whitespace-nowrap text-neutral-600'>{when(a.at)}</TD>
              <TD><Badge tone={TONES[a.action]}>{a.action}</Badge></TD>
              <TD class='font-mono text-xs'>{a.entity}</TD>
              <TD class='font-mono text-xs'><button type='button' class='underline' onClick={() => { setRecordId(a.record_id); filter({ record_id: a.record_id }) }}>{a.record_id}</button></TD>
              <TD class='font-mono text-xs text-neutral-600'>{a.user_id ?? '—'}</TD>
              <TD class='text-xs'>
                <Show when={a.changes !== null} fallback='—'>
                  <button type='button' class='text-sky-700 underline' onClick={() => setOpen((o) => o === a.id ? null : a.id)}>{Object.keys(a.changes ?? {}).length > 0 ? Object.keys(a.changes ?? {}).join(', ') : 'show'}</button>
                  <Show when={open() === a.id}><pre class='mt-1 max-h-60 max-w-xl overflow-auto rounded bg-neutral-900 p-2 text-neutral-100'>{pretty(a.changes)}</pre></Show>
                </Show>
              </TD>
            </tr>
          )}
        </ResourceTable>
      </Card>
    </>
  )
}
