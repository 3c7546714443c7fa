import { createResource, For, Show, type JSX } from 'solid-js'
import { events } from '../../api/ops.js'
import { ErrorPanel } from '../../components/ErrorPanel.js'
import { Button, Card, Empty, Table, TD, TH } from '../../components/ui.js'

const num = (v: number | null): string => v === null ? '—' : `${Math.round(v * 100) / 100}`

/** Counts per type and source and durations per component over the last 24 hours. */
export function EventStatsCard (props: { app: string }): JSX.Element {
  const [stats, { refetch }] = createResource(() => props.app, async (app) => await events.stats(app))
  return (
    <Card title='Stats (last 24 h)' actions={<Button size='sm' variant='secondary' onClick={() => { void refetch() }}>Refresh</Button>}>
      <ErrorPanel error={stats.error} />
      <Show when={stats.latest} fallback={<Empty>Loading…</Empty>}>
        {(s) => (
          <div data-testid='event-stats'>
            <p class='px-4 py-3 text-sm text-neutral-600'>
              <span class='font-semibold text-neutral-900' data-testid='stats-total'>{s().total}</span> events · sampling rate <span class='font-mono'>{s().sampling_rate}</span>
            </p>
            <Table head={<tr><TH>Component</TH><TH>Count</TH><TH>Errors</TH><TH>p50 ms</TH><TH>p95 ms</TH><TH>max ms</TH></tr>}>
              <For each={s().by_component} fallback={<tr><td colspan='6'><Empty>No spans in the window.</Empty></td></tr>}>
                {(c) => <tr><TD class='font-mono'>{c.component}</TD><TD>{c.count}</TD><TD class={c.errors > 0 ? 'text-red-700' : ''}>{c.errors}</TD><TD>{num(c.p50_ms)}</TD><TD>{num(c.p95_ms)}</TD><TD>{num(c.max_ms)}</TD></tr>}
              </For>
            </Table>
            <div class='flex flex-wrap gap-2 border-t border-neutral-200 px-4 py-3 text-xs'>
              <For each={s().by_type}>{(t) => <span class='rounded bg-neutral-100 px-1.5 py-0.5'><span class='font-mono'>{t.event_type}</span> <span class='text-neutral-500'>({t.source})</span> {t.count}</span>}</For>
            </div>
          </div>
        )}
      </Show>
    </Card>
  )
}
