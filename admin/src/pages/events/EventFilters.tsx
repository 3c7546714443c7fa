import { createStore } from 'solid-js/store'
import { For, type JSX } from 'solid-js'
import { Button, Input, Select } from '../../components/ui.js'

export const EVENT_FILTERS = ['event_type', 'source', 'component', 'entity', 'record_id', 'trace_id', 'user_id', 'from', 'to'] as const
export type EventFilterKey = typeof EVENT_FILTERS[number]
export type EventFilterValues = Record<EventFilterKey, string>

export const emptyFilters = (): EventFilterValues => Object.fromEntries(EVENT_FILTERS.map((k) => [k, ''])) as EventFilterValues

/** `datetime-local` (browser time) → ISO 8601 as the API wants; other values as typed. */
function toQuery (f: EventFilterValues): EventFilterValues {
  const iso = (v: string): string => v === '' ? '' : new Date(v).toISOString()
  return { ...f, from: iso(f.from), to: iso(f.to) }
}

/** The filters of `GET /_admin/events`, applied on submit. */
export function EventFilters (props: { onApply: (filters: EventFilterValues) => void }): JSX.Element {
  const [f, setF] = createStore<EventFilterValues>(emptyFilters())
  const text = (k: EventFilterKey, placeholder: string): JSX.Element =>
    <Input name={`event-${k}`} class='font-mono' placeholder={placeholder} value={f[k]} onInput={(e) => setF(k, e.currentTarget.value.trim())} />
  const submit = (e: SubmitEvent): void => { e.preventDefault(); props.onApply(toQuery({ ...f })) }
  return (
    <form class='grid gap-2 border-b border-neutral-200 p-4 md:grid-cols-4' onSubmit={submit} data-testid='event-filters'>
      {text('event_type', 'event type')}
      <Select name='event-source' value={f.source} onChange={(e) => setF('source', e.currentTarget.value)}>
        <option value=''>any source</option>
        <For each={['system', 'business']}>{(s) => <option value={s}>{s}</option>}</For>
      </Select>
      {text('component', 'component (http, query…)')}
      {text('entity', 'entity')}
      {text('record_id', 'record id')}
      {text('trace_id', 'trace id')}
      {text('user_id', 'user id (uuid)')}
      <div class='grid grid-cols-2 gap-2'>
        <Input name='event-from' type='datetime-local' title='from' value={f.from} onInput={(e) => setF('from', e.currentTarget.value)} />
        <Input name='event-to' type='datetime-local' title='to' value={f.to} onInput={(e) => setF('to', e.currentTarget.value)} />
      </div>
      <div class='flex gap-2 md:col-span-4'>
        <Button type='submit' size='sm'>Apply filters</Button>
        <Button size='sm' variant='ghost' onClick={() => { setF(emptyFilters()); props.onApply(emptyFilters()) }}>Clear</Button>
      </div>
    </form>
  )
}
