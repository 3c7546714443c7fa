import { useParams } from '@solidjs/router'
import { createResource, createSignal, For, Show, type JSX } from 'solid-js'
import { listEntities } from '../../api/metadata.js'
import { webhooks } from '../../api/ops.js'
import type { Webhook } from '../../api/ops-types.js'
import { ConfirmDialog } from '../../components/ConfirmDialog.js'
import { ErrorPanel } from '../../components/ErrorPanel.js'
import { Badge, Button, Card, Empty, PageHeader, Table, TD, TH } from '../../components/ui.js'
import { toastError, toastSuccess } from '../../state/toasts.js'
import { DeliveryLog } from './DeliveryLog.js'
import { WebhookForm } from './WebhookForm.js'

/** Webhooks (list, create, edit, delete) and their delivery log with retry. */
export function WebhooksPage (): JSX.Element {
  const params = useParams<{ app: string }>()
  const [list, { refetch }] = createResource(() => params.app, async (app) => await webhooks.list(app))
  const [entities] = createResource(() => params.app, listEntities)
  const [editing, setEditing] = createSignal<Webhook | null>(null)
  const [deleting, setDeleting] = createSignal<Webhook | null>(null)
  const [formKey, setFormKey] = createSignal(0)
  const resetForm = (w: Webhook | null): void => { setEditing(w); setFormKey((k) => k + 1) }

  const save = async (body: Record<string, unknown>): Promise<void> => {
    const current = editing()
    const saved = current !== null ? await webhooks.update(params.app, current.id, body) : await webhooks.create(params.app, body)
    toastSuccess(`Webhook ${saved.hook} on ${saved.entity} saved`)
    resetForm(null)
    await refetch()
  }
  const remove = async (): Promise<void> => {
    const w = deleting()
    if (w === null) return
    try {
      await webhooks.remove(params.app, w.id)
      toastSuccess('Webhook deleted')
      setDeleting(null)
      if (editing()?.id === w.id) resetForm(null)
      await refetch()
    } catch (err) { toastError(err) }
  }

  return (
    <>
      <PageHeader title='Webhooks & deliveries' subtitle='HTTP calls on writes: before_* hooks run in the transaction and can veto it; after_* deliveries go through an outbox with retries.' />
      <div class='grid gap-6 xl:grid-cols-[1fr_28rem]'>
        <Card>
          <ErrorPanel error={list.error} />
          <Show when={list.latest} fallback={<Empty>Loading…</Empty>}>
            {(rows) => (
              <Table testId='webhooks-table' head={<tr><TH>Entity</TH><TH>Hook</TH><TH>Request</TH><TH>Options</TH><TH class='text-right'>Actions</TH></tr>}>
                <For each={rows()} fallback={<tr><td colspan='5'><Empty>No webhooks yet.</Empty></td></tr>}>
                  {(w) => (
                    <tr data-testid={`webhook-row-${w.entity}-${w.hook}`}>
                      <TD class='font-mono font-medium'>{w.entity}</TD>
                      <TD><Badge tone='blue'>{w.hook}</Badge></TD>
                      <TD class='max-w-xs font-mono text-xs break-all'>{w.method} {w.url}<Show when={w.condition}><span class='block text-neutral-500'>if {w.condition}</span></Show></TD>
                      <TD class='space-x-1 text-xs'>
                        {w.active ? <Badge tone='green'>active</Badge> : <Badge>inactive</Badge>}
                        <Badge>{w.async ? `async · ${w.retry.max_attempts}× ${w.retry.backoff}` : 'sync'}</Badge>
                        <Show when={w.has_secret}><Badge tone='amber'>signed</Badge></Show>
                      </TD>
                      <TD class='space-x-2 text-right whitespace-nowrap'>
                        <Button size='sm' variant='secondary' onClick={() => { resetForm(w) }}>Edit</Button>
                        <Button size='sm' variant='ghost' class='!text-red-600' onClick={() => setDeleting(w)}>Delete</Button>
                      </TD>
                    </tr>
                  )}
                </For>
              </Table>
            )}
          </Show>
        </Card>
        <Card title={editing() !== null ? `Edit webhook ${editing()?.hook ?? ''} on ${editing()?.entity ?? ''}` : 'New webhook'}>
          <Show when={entities.latest} fallback={<Empty>Loading entities…</Empty>}>
            {(ents) => (
              <Show when={formKey() + 1} keyed>
                <WebhookForm entities={ents()} editing={editing()} onSubmit={save} onCancel={() => { resetForm(null) }} />
              </Show>
            )}
          </Show>
        </Card>
      </div>
      <div class='mt-6'><DeliveryLog app={params.app} webhooks={list.latest ?? []} /></div>
      <ConfirmDialog open={deleting() !== null} title={`Delete the ${deleting()?.hook ?? ''} webhook on ${deleting()?.entity ?? ''}?`} onCancel={() => setDeleting(null)} onConfirm={() => { void remove() }}>
        No further deliveries are made; its delivery log stays.
      </ConfirmDialog>
    </>
  )
}
