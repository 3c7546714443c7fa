import { createSignal, For, Show, type JSX } from 'solid-js'
import type { Waterfall } from '../../api/ops-types.js'
import { pretty, when } from '../../components/forms.js'

type Span = Waterfall['spans'][number]

const COLORS: Record<string, string> = {
  http: 'bg-neutral-700',
  auth: 'bg-sky-500',
  permission: 'bg-indigo-500',
  query: 'bg-emerald-500',
  write: 'bg-amber-500',
  nested_write: 'bg-orange-500',
  webhook: 'bg-fuchsia-500',
  workflow: 'bg-violet-500'
}
const ms = (v: number): string => v >= 100 ? `${Math.round(v)} ms` : `${Math.round(v * 100) / 100} ms`
const label = (s: Span): string => [s.component ?? s.event_type, s.action, s.entity].filter((x) => x !== null && x !== '').join(' · ')

/** A trace as horizontal bars: each span's start offset and duration against the whole trace, nested by depth. */
export function TraceWaterfall (props: { trace: Waterfall }): JSX.Element {
  const total = (): number => Math.max(props.trace.duration_ms, 0.001)
  const left = (s: Span): number => Math.min(100, (s.offset_ms / total()) * 100)
  const width = (s: Span): number => Math.max(0.4, Math.min(100 - left(s), ((s.duration_ms ?? 0) / total()) * 100))
  const [selected, setSelected] = createSignal<Span | null>(null)
  return (
    <div class='p-4' data-testid='trace-waterfall'>
      <div class='mb-3 flex flex-wrap items-baseline justify-between gap-2 text-xs text-neutral-600'>
        <span>trace <span class='font-mono text-neutral-900' data-testid='trace-id'>{props.trace.trace_id}</span> · started {when(props.trace.started_at)}</span>
        <span><span class='font-semibold text-neutral-900' data-testid='trace-duration'>{ms(props.trace.duration_ms)}</span> · {props.trace.spans.length} spans</span>
      </div>
      <div class='space-y-1'>
        <For each={props.trace.spans}>
          {(s) => (
            <div
              class={`grid cursor-pointer grid-cols-[18rem_1fr_5rem] items-center gap-3 rounded text-xs hover:bg-neutral-50 ${selected() === s ? 'bg-sky-50' : ''}`}
              data-testid='trace-span'
              onClick={() => setSelected((cur) => cur === s ? null : s)}
            >
              <div class='truncate' style={{ 'padding-left': `${s.depth * 14}px` }}>
                <span class={s.status === 'error' ? 'font-medium text-red-700' : 'font-medium text-neutral-800'}>{label(s)}</span>
                <span class='ml-1 text-neutral-400'>{s.source === 'business' ? s.event_type : ''}</span>
              </div>
              <div class='relative h-5 rounded bg-neutral-100'>
                <Show
                  when={s.duration_ms !== null}
                  fallback={<div class='absolute top-1 size-3 rotate-45 bg-sky-600' style={{ left: `calc(${left(s)}% - 6px)` }} title='event (no duration)' />}
                >
                  <div
                    class={`absolute inset-y-0 rounded ${s.status === 'error' ? 'bg-red-500' : COLORS[s.component ?? ''] ?? 'bg-sky-400'}`}
                    style={{ left: `${left(s)}%`, width: `${width(s)}%` }}
                    data-testid='trace-bar'
                  />
                </Show>
              </div>
              <span class='text-right font-mono text-[11px] text-neutral-700' data-testid='trace-span-duration'>{s.duration_ms !== null ? ms(s.duration_ms) : 'event'}</span>
            </div>
          )}
        </For>
      </div>
      <Show when={selected()}>
        {(s) => (
          <div class='mt-3 grid gap-3 rounded-md bg-neutral-50 p-3 text-xs ring-1 ring-neutral-200 md:grid-cols-[16rem_1fr]' data-testid='span-detail'>
            <dl class='grid grid-cols-[6rem_1fr] gap-y-0.5 text-neutral-600'>
              <dt>type</dt><dd class='font-mono text-neutral-900'>{s().event_type}</dd>
              <dt>status</dt><dd>{s().status ?? '—'}</dd>
              <dt>offset</dt><dd>{ms(s().offset_ms)}</dd>
              <dt>span</dt><dd class='font-mono'>{s().span_id ?? '—'}</dd>
              <dt>record</dt><dd class='font-mono break-all'>{s().record_id ?? '—'}</dd>
              <dt>user</dt><dd class='font-mono break-all'>{s().user_id ?? '—'}</dd>
            </dl>
            <pre class='max-h-48 overflow-auto rounded bg-neutral-900 p-2 text-neutral-100'>{pretty(s().metadata ?? {})}</pre>
          </div>
        )}
      </Show>
    </div>
  )
}
