import { useParams, useSearchParams } from '@solidjs/router'
import { createResource, createSignal, Show, type JSX } from 'solid-js'
import { events } from '../../api/ops.js'
import { ErrorPanel } from '../../components/ErrorPanel.js'
import { when } from '../../components/forms.js'
import { createPaging } from '../../components/list-state.js'
import { ResourceTable } from '../../components/ResourceList.js'
import { Badge, Button, Card, Empty, Input, PageHeader, TD } from '../../components/ui.js'
import { emptyFilters, EventFilters, type EventFilterValues } from './EventFilters.js'
import { EventStatsCard } from './EventStatsCard.js'
import { TraceWaterfall } from './TraceWaterfall.js'

/** Recent events with filters, stats, and a trace viewer (`?trace=<id>` opens one). */
export function EventsPage (): JSX.Element {
  const params = useParams<{ app: string }>()
  const [search, setSearch] = useSearchParams<{ trace?: string }>()
  const [filters, setFilters] = createSignal<EventFilterValues>(emptyFilters())
  const paging = createPaging()
  const [list, { refetch }] = createResource(() => ({ app: params.app, ...filters(), ...paging.query() }), async ({ app, ...q }) => await events.page(app, q))
  const traceId = (): string => search.trace ?? ''
  const [trace] = createResource(() => traceId() !== '' ? { app: params.app, id: traceId() } : false, async (q) => await events.trace(q.app, q.id))
  const [typed, setTyped] = createSignal(traceId())
  const openTrace = (id: string): void => { setTyped(id); setSearch({ trace: id === '' ? undefined : id }) }

  return (
    <>
      <PageHeader title='Events & traces' subtitle='Spans of sampled requests (http, auth, permission, query, write, webhook, workflow) and business events.' />
      <Card title='Trace viewer' class='mb-6'>
        <form class='flex gap-2 border-b border-neutral-200 p-4' onSubmit={(e) => { e.preventDefault(); openTrace(typed().trim()) }}>
          <Input name='trace-id' class='font-mono' placeholder='trace id (X-Trace-ID of a response)' value={typed()} onInput={(e) => setTyped(e.currentTarget.value)} />
          <Button type='submit' class='whitespace-nowrap'>Show trace</Button>
        </form>
        <Show when={traceId() !== ''} fallback={<Empty>Pick a trace in the list below, or paste its id.</Empty>}>
          <ErrorPanel error={trace.error} />
          <Show when={!trace.loading && trace.error === undefined ? trace() : undefined} fallback={<Show when={trace.loading}><Empty>Loading…</Empty></Show>}>
            {(w) => <TraceWaterfall trace={w()} />}
          </Show>
        </Show>
      </Card>
      <div class='grid gap-6 2xl:grid-cols-[1fr_30rem]'>
        <Card title='Events' actions={<Button size='sm' variant='secondary' onClick={() => { void refetch() }}>Refresh</Button>}>
          <EventFilters onApply={(f) => { setFilters(f); paging.firstPage() }} />
          <ResourceTable testId='events-table' columns={['Time', 'Type', 'Component', 'Entity', 'Duration', 'Trace']} items={list.latest?.data} meta={list.latest?.meta} paging={paging} error={list.error} empty='No events match.'>
            {(ev) => (
              <tr data-testid='event-row'>
                <TD class='text-xs whitespace-nowrap text-neutral-600'>{when(ev.created_at)}</TD>
                <TD class='text-xs'><span class='font-mono'>{ev.event_type}</span> <Show when={ev.source === 'business'}><Badge tone='amber'>business</Badge></Show></TD>
                <TD class='text-xs'>{ev.component ?? '—'}<Show when={ev.action}><span class='text-neutral-500'> · {ev.action}</span></Show><Show when={ev.status === 'error'}> <Badge tone='amber'>error</Badge></Show></TD>
                <TD class='font-mono text-xs'>{ev.entity ?? '—'}<Show when={ev.record_id}><span class='block text-neutral-500'>{ev.record_id}</span></Show></TD>
                <TD class='text-xs'>{ev.duration_ms !== null ? `${ev.duration_ms} ms` : '—'}</TD>
                <TD><button type='button' class='font-mono text-xs text-sky-700 underline' data-testid='event-trace-link' onClick={() => { openTrace(ev.trace_id); window.scrollTo({ top: 0 }) }}>{ev.trace_id.slice(0, 16)}</button></TD>
              </tr>
            )}
          </ResourceTable>
        </Card>
        <EventStatsCard app={params.app} />
      </div>
    </>
  )
}
