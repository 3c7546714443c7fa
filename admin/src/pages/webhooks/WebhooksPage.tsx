import { useParams } from '@solidjs/router'
import { createResource, Show, type JSX } from 'solid-js'
import { listEntities } from '../../api/metadata.js'
import { webhooks } from '../../api/ops.js'
import type { Webhook } from '../../api/ops-types.js'
import { createEditing, useDeleteWithConfirm } from '../../components/list-state.js'
import { ConfirmDelete, EntityFormCard, ResourceTable, RowActions } from '../../components/ResourceList.js'
import { Badge, Card, PageHeader, TD } from '../../components/ui.js'
import { toastSuccess } from '../../state/toasts.js'
import { DeliveryLog } from './DeliveryLog.js'
import { WebhookForm } from './WebhookForm.js'

/** Webhooks (list, create, edit, delete) and their delivery log with retry. */
export function WebhooksPage (): JSX.Element {
  const params = useParams<{ app: string }>()
  const [list, { refetch }] = createResource(() => params.app, async (app) => await webhooks.list(app))
  const [entities] = createResource(() => params.app, listEntities)
  const editor = createEditing<Webhook | null>(null)
  const del = useDeleteWithConfirm<Webhook>({
    remove: async (w) => { await webhooks.remove(params.app, w.id) },
    message: () => 'Webhook deleted',
    onDeleted: (w) => { if (editor.current()?.id === w.id) editor.open(null) },
    refetch
  })

  const save = async (body: Record<string, unknown>): Promise<void> => {
    const current = editor.current()
    const saved = current !== null ? await webhooks.update(params.app, current.id, body) : await webhooks.create(params.app, body)
    toastSuccess(`Webhook ${saved.hook} on ${saved.entity} saved`)
    editor.open(null)
    await refetch()
  }

  return (
    <>
      <PageHeader title='Webhooks & deliveries' subtitle='HTTP calls on writes: before_* hooks run in the transaction and can veto it; after_* deliveries go through an outbox with retries.' />
      <div class='grid gap-6 xl:grid-cols-[1fr_28rem]'>
        <Card>
          <ResourceTable testId='webhooks-table' columns={['Entity', 'Hook', 'Request', 'Options']} actions items={list.latest} error={list.error} empty='No webhooks yet.'>
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
                <RowActions onEdit={() => { editor.open(w) }} onDelete={() => { del.ask(w) }} />
              </tr>
            )}
          </ResourceTable>
        </Card>
        <EntityFormCard title={editor.current() !== null ? `Edit webhook ${editor.current()?.hook ?? ''} on ${editor.current()?.entity ?? ''}` : 'New webhook'} entities={entities.latest} version={editor.version()}>
          {(ents) => <WebhookForm entities={ents()} editing={editor.current()} onSubmit={save} onCancel={() => { editor.open(null) }} />}
        </EntityFormCard>
      </div>
      <div class='mt-6'><DeliveryLog app={params.app} webhooks={list.latest ?? []} /></div>
      <ConfirmDelete of={del} title={`Delete the ${del.target()?.hook ?? ''} webhook on ${del.target()?.entity ?? ''}?`}>
        No further deliveries are made; its delivery log stays.
      </ConfirmDelete>
    </>
  )
}
