import { useNavigate, useParams } from '@solidjs/router'
import { createMemo, createResource, createSignal, For, onCleanup, Show, type JSX } from 'solid-js'
import { createStore } from 'solid-js/store'
import { listEntities, listRelations } from '../../api/metadata.js'
import { followChanges, type LiveStatus } from '../../api/realtime.js'
import { deleteRecord, listRecords } from '../../api/records.js'
import type { EntityDef } from '../../api/types.js'
import { ConfirmDialog } from '../../components/ConfirmDialog.js'
import { ErrorPanel } from '../../components/ErrorPanel.js'
import { appPath } from '../../components/nav.js'
import { Button, Card, Checkbox, Empty, PageHeader, Select } from '../../components/ui.js'
import { toastError, toastSuccess } from '../../state/toasts.js'
import { edgesOf, type Edge } from './edges.js'
import { FilterBuilder } from './FilterBuilder.js'
import { filterQuery, listQuery, nextSort, type ListState } from './list-query.js'
import { AggregateView } from './AggregateView.js'
import { FieldPicker, SearchBox } from './QueryControls.js'
import { Pagination } from '../../components/Pagination.js'
import { RecordEditor } from './RecordEditor.js'
import { RecordsTable } from './RecordsTable.js'

const initialState = (): ListState => ({ filters: [], sort: null, page: 1, perPage: 25, include: [], search: '', fields: [] })

function Browser (props: { app: string, entity: EntityDef, entities: EntityDef[], edges: Edge[] }): JSX.Element {
  const [state, setState] = createStore<ListState>(initialState())
  const query = createMemo(() => JSON.stringify(listQuery(state)))
  const [list, { refetch }] = createResource(query, async (q) => await listRecords(props.app, props.entity.name, JSON.parse(q) as Record<string, string>))
  const [editing, setEditing] = createSignal<{ id: string | null } | null>(null)
  const [deleting, setDeleting] = createSignal<string | null>(null)
  const filterable = (): EntityDef['fields'] => props.entity.fields
  const writableEdges = (): Edge[] => props.edges.filter((e) => e.kind !== 'belongs_to')
  /** With `fields=`, only the picked columns (and the key) are shown. */
  const shown = (): EntityDef => state.fields.length === 0 ? props.entity : { ...props.entity, fields: props.entity.fields.filter((f) => f.name === props.entity.primary_key.field || state.fields.includes(f.name)) }
  const included = (): Edge[] => props.edges.filter((e) => state.include.includes(e.name))

  // Live updates (docs/reference.md "Realtime"): a change by anyone refetches the page shown,
  // once per burst of events.
  const [live, setLive] = createSignal<LiveStatus>('connecting')
  let pendingRefetch: ReturnType<typeof setTimeout> | null = null
  const stopFollowing = followChanges({
    app: props.app,
    entities: [props.entity.name],
    onStatus: setLive,
    // Any API call refreshes an expired access token; the list is reloaded anyway.
    beforeReopen: async () => { await refetch() },
    onChange: () => {
      if (pendingRefetch !== null) return
      pendingRefetch = setTimeout(() => { pendingRefetch = null; void refetch() }, 150)
    }
  })
  onCleanup(() => { stopFollowing(); if (pendingRefetch !== null) clearTimeout(pendingRefetch) })

  const remove = async (): Promise<void> => {
    const id = deleting()
    if (id === null) return
    try {
      await deleteRecord(props.app, props.entity.name, id)
      toastSuccess(`${props.entity.name} ${id} deleted`)
      setDeleting(null)
      await refetch()
    } catch (err) {
      setDeleting(null)
      toastError(err)
    }
  }
  const toggleInclude = (name: string, on: boolean): void => {
    setState('include', (list) => on ? [...list, name] : list.filter((n) => n !== name))
  }

  return (
    <>
      <Card class='mb-4'>
        <div class='space-y-3 p-4'>
          <Show when={props.entity.fields.some((f) => f.searchable === true)}>
            <SearchBox value={state.search} onSearch={(text) => setState({ search: text, page: 1 })} />
          </Show>
          <FilterBuilder fields={filterable()} initial={state.filters} onApply={(rows) => setState({ filters: rows, page: 1 })} />
          <Show when={props.edges.length > 0}>
            <div class='flex flex-wrap items-center gap-x-4 gap-y-1 border-t border-neutral-100 pt-3'>
              <span class='text-xs font-medium text-neutral-500'>Include</span>
              <For each={props.edges}>{(e) => <Checkbox name={`include-${e.name}`} label={`${e.name} (${e.kind.replace('_', ' ')})`} checked={state.include.includes(e.name)} onChange={(v) => { toggleInclude(e.name, v) }} />}</For>
            </div>
          </Show>
          <FieldPicker entity={props.entity} selected={state.fields} onChange={(fields) => setState({ fields })} />
          <AggregateView app={props.app} entity={props.entity} filters={() => filterQuery(state)} />
        </div>
      </Card>
      <Card>
        <div class='flex items-center justify-between border-b border-neutral-200 px-4 py-3'>
          <h2 class='font-mono text-sm font-semibold'>
            {props.entity.name}
            <span data-testid='live-status' data-status={live()} class={`ml-2 rounded px-1.5 py-0.5 font-sans text-xs font-normal ${live() === 'live' ? 'bg-emerald-50 text-emerald-700' : 'bg-neutral-100 text-neutral-500'}`}>
              {live() === 'live' ? 'live' : live() === 'connecting' ? 'connecting…' : 'offline'}
            </span>
          </h2>
          <Button size='sm' onClick={() => setEditing({ id: null })}>New record</Button>
        </div>
        <ErrorPanel error={list.error} />
        <Show when={list.latest} fallback={<Show when={list.loading}><Empty>Loading…</Empty></Show>}>
          {(page) => (
            <>
              <RecordsTable
                entity={shown()}
                records={page().data}
                included={included()}
                sort={state.sort}
                onSort={(field) => setState({ sort: nextSort(state.sort, field), page: 1 })}
                onEdit={(id) => setEditing({ id })}
                onDelete={setDeleting}
              />
              <Pagination meta={page().meta} onPage={(p) => setState('page', p)} onPerPage={(n) => setState({ perPage: n, page: 1 })} />
            </>
          )}
        </Show>
      </Card>
      <Show when={editing()} keyed>
        {(e) => (
          <RecordEditor
            app={props.app}
            entity={props.entity}
            entities={props.entities}
            edges={writableEdges()}
            recordId={e.id}
            onClose={() => setEditing(null)}
            onSaved={() => { setEditing(null); void refetch() }}
          />
        )}
      </Show>
      <ConfirmDialog open={deleting() !== null} title={`Delete ${props.entity.name} ${deleting() ?? ''}?`} onCancel={() => setDeleting(null)} onConfirm={() => { void remove() }}>
        {props.entity.soft_delete === true ? 'The record is soft-deleted (hidden everywhere, kept in the table).' : 'The record is deleted; relations apply their on_delete policy.'}
      </ConfirmDialog>
    </>
  )
}

/** Browse, filter, sort, page and edit the records of any entity of the app. */
export function DataBrowserPage (): JSX.Element {
  const params = useParams<{ app: string, entity?: string }>()
  const navigate = useNavigate()
  const [entities] = createResource(() => params.app, listEntities)
  const [relations] = createResource(() => params.app, listRelations)
  const current = (): EntityDef | undefined => entities.latest?.find((e) => e.name === params.entity)
  return (
    <>
      <PageHeader
        title='Data browser'
        subtitle='Records of every entity: filter, sort, page, edit with nested children.'
        actions={
          <Show when={entities.latest}>
            {(list) => (
              <Select name='entity' aria-label='Entity' class='!w-56' value={params.entity ?? ''} onChange={(e) => navigate(appPath(params.app, `data/${e.currentTarget.value}`))}>
                <option value='' disabled>Choose an entity…</option>
                <For each={list()}>{(e) => <option value={e.name}>{e.name}</option>}</For>
              </Select>
            )}
          </Show>
        }
      />
      <ErrorPanel error={entities.error ?? relations.error} />
      <Show when={entities.latest !== undefined && relations.latest !== undefined} fallback={<Empty>Loading…</Empty>}>
        <Show when={current()} keyed fallback={<Card><Empty>{params.entity !== undefined ? `No entity '${params.entity}'.` : 'Choose an entity to browse its records.'}</Empty></Card>}>
          {(entity) => <Browser app={params.app} entity={entity} entities={entities.latest ?? []} edges={edgesOf(entity.name, relations.latest ?? [])} />}
        </Show>
      </Show>
    </>
  )
}
