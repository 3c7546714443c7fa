import { useParams } from '@solidjs/router'
import { createResource, createSignal, For, Show, type JSX } from 'solid-js'
import { listEntities } from '../../api/metadata.js'
import { audit } from '../../api/ops.js'
import { ErrorPanel } from '../../components/ErrorPanel.js'
import { pretty, when } from '../../components/forms.js'
import { Badge, Button, Card, Empty, Input, PageHeader, Select, Table, TD, TH } from '../../components/ui.js'
import { Pagination } from '../records/Pagination.js'

interface Filters { entity: string, record_id: string, action: string }
const TONES = { create: 'green', update: 'blue', delete: 'amber' } as const

/** The audit log: every create / update / delete with its changes, by entity, record and action. */
export function AuditPage (): JSX.Element {
  const params = useParams<{ app: string }>()
  const [filters, setFilters] = createSignal<Filters>({ entity: '', record_id: '', action: '' })
  const [paging, setPaging] = createSignal({ page: 1, per_page: 25 })
  const [list, { refetch }] = createResource(() => ({ app: params.app, ...filters(), ...paging() }), async ({ app, ...q }) => await audit(app, q))
  const [entities] = createResource(() => params.app, listEntities)
  const [recordId, setRecordId] = createSignal('')
  const [open, setOpen] = createSignal<string | null>(null)
  const filter = (patch: Partial<Filters>): void => { setFilters((f) => ({ ...f, ...patch })); setPaging((p) => ({ ...p, page: 1 })) }

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
        <ErrorPanel error={list.error} />
        <Show when={list.latest} fallback={<Empty>Loading…</Empty>}>
          {(envelope) => (
            <>
              <Table testId='audit-table' head={<tr><TH>At</TH><TH>Action</TH><TH>Entity</TH><TH>Record</TH><TH>User</TH><TH>Changes</TH></tr>}>
                <For each={envelope().data} fallback={<tr><td colspan='6'><Empty>No entries match.</Empty></td></tr>}>
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
                </For>
              </Table>
              <Pagination meta={envelope().meta} onPage={(page) => setPaging((p) => ({ ...p, page }))} onPerPage={(n) => setPaging({ page: 1, per_page: n })} />
            </>
          )}
        </Show>
      </Card>
    </>
  )
}
