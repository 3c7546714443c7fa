import { batch, createResource, createSignal, For, Show, type JSX } from 'solid-js'
import { webhookLogs } from '../../api/ops.js'
import { LOG_STATUSES, type Webhook, type WebhookLog } from '../../api/ops-types.js'
import { when } from '../../components/forms.js'
import { createPaging } from '../../components/list-state.js'
import { ResourceTable } from '../../components/ResourceList.js'
import { Button, Card, Input, Select, TD } from '../../components/ui.js'
import { toastError, toastSuccess } from '../../state/toasts.js'
import { DeliveryDetail } from './DeliveryDetail.js'
import { StatusBadge } from './StatusBadge.js'

interface Filters { webhook_id: string, status: string, entity: string }

/** `_webhook_logs`: filters (webhook, status, entity), newest first, a detail panel with retry. */
export function DeliveryLog (props: { app: string, webhooks: Webhook[] }): JSX.Element {
  const [filters, setFilters] = createSignal<Filters>({ webhook_id: '', status: '', entity: '' })
  const paging = createPaging()
  const [logs, { refetch }] = createResource(() => ({ app: props.app, ...filters(), ...paging.query() }), async ({ app, ...q }) => await webhookLogs.page(app, q))
  const [open, setOpen] = createSignal<WebhookLog | null>(null)
  const [retrying, setRetrying] = createSignal(false)
  // One write (one fetch): the new filter on the first page.
  const filter = (key: keyof Filters, value: string): void => { batch(() => { setFilters((f) => ({ ...f, [key]: value })); paging.firstPage() }) }
  const label = (l: WebhookLog): string => {
    const w = props.webhooks.find((x) => x.id === l.webhook_id)
    return w !== undefined ? `${w.entity} · ${w.hook}` : l.hook
  }

  const show = async (l: WebhookLog): Promise<void> => {
    try { setOpen(await webhookLogs.get(props.app, l.id)) } catch (err) { toastError(err) }
  }
  const retry = async (): Promise<void> => {
    const l = open()
    if (l === null) return
    setRetrying(true)
    try {
      setOpen(await webhookLogs.retry(props.app, l.id))
      toastSuccess('Delivery re-queued')
      await refetch()
    } catch (err) {
      toastError(err)
    } finally {
      setRetrying(false)
    }
  }

  return (
    <Card
      title='Delivery log'
      actions={<Button size='sm' variant='secondary' onClick={() => { void refetch() }}>Refresh</Button>}
    >
      <div class='grid gap-3 border-b border-neutral-200 p-4 md:grid-cols-3'>
        <Select name='log-webhook' value={filters().webhook_id} onChange={(e) => { filter('webhook_id', e.currentTarget.value) }}>
          <option value=''>every webhook</option>
          <For each={props.webhooks}>{(w) => <option value={w.id}>{w.entity} · {w.hook} · {w.url}</option>}</For>
        </Select>
        <Select name='log-status' value={filters().status} onChange={(e) => { filter('status', e.currentTarget.value) }}>
          <option value=''>every status</option>
          <For each={LOG_STATUSES}>{(s) => <option value={s}>{s}</option>}</For>
        </Select>
        <Input name='log-entity' placeholder='entity' value={filters().entity} onChange={(e) => { filter('entity', e.currentTarget.value.trim()) }} />
      </div>
      <Show when={open()}>{(l) => <div class='border-b border-neutral-200 bg-neutral-50'><DeliveryDetail log={l()} busy={retrying()} onRetry={() => { void retry() }} onClose={() => setOpen(null)} /></div>}</Show>
      <ResourceTable testId='deliveries-table' columns={['Created', 'Webhook', 'Request', 'Status', 'Response', 'Attempts', '']} items={logs.latest?.data} meta={logs.latest?.meta} paging={paging} error={logs.error} empty='No deliveries match.'>
        {(l) => (
          <tr data-testid='delivery-row' class={open()?.id === l.id ? 'bg-sky-50' : ''}>
            <TD class='text-xs whitespace-nowrap text-neutral-600'>{when(l.created_at)}</TD>
            <TD class='text-xs'>{label(l)}</TD>
            <TD class='max-w-xs truncate font-mono text-xs'>{l.method} {l.url}</TD>
            <TD><StatusBadge status={l.status} /></TD>
            <TD class='font-mono text-xs'>{l.response_status ?? '—'}</TD>
            <TD class='text-xs'>{l.attempt} / {l.max_attempts}</TD>
            <TD class='text-right'><Button size='sm' variant='secondary' onClick={() => { void show(l) }}>Details</Button></TD>
          </tr>
        )}
      </ResourceTable>
    </Card>
  )
}
