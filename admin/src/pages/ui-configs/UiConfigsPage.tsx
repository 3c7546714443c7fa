import { useParams } from '@solidjs/router'
import { createResource, createSignal, For, Show, type JSX } from 'solid-js'
import { listEntities } from '../../api/metadata.js'
import { uiConfigs } from '../../api/ops.js'
import type { UiConfig } from '../../api/ops-types.js'
import { ConfirmDialog } from '../../components/ConfirmDialog.js'
import { ErrorPanel } from '../../components/ErrorPanel.js'
import { when } from '../../components/forms.js'
import { Badge, Button, Card, Empty, PageHeader, Table, TD, TH } from '../../components/ui.js'
import { toastError, toastSuccess } from '../../state/toasts.js'
import { Pagination } from '../records/Pagination.js'
import { UiConfigForm, type UiConfigBody } from './UiConfigForm.js'

/** UI configs: JSON documents client UIs read through `/api/<app>/_ui/config/<entity>`. */
export function UiConfigsPage (): JSX.Element {
  const params = useParams<{ app: string }>()
  const [paging, setPaging] = createSignal({ page: 1, per_page: 25 })
  const [list, { refetch }] = createResource(() => ({ app: params.app, ...paging() }), async ({ app, ...q }) => await uiConfigs.page(app, q))
  const [entities] = createResource(() => params.app, listEntities)
  const [editing, setEditing] = createSignal<UiConfig | null>(null)
  const [deleting, setDeleting] = createSignal<UiConfig | null>(null)
  const [formKey, setFormKey] = createSignal(0)
  const resetForm = (c: UiConfig | null): void => { setEditing(c); setFormKey((k) => k + 1) }

  const save = async (body: UiConfigBody): Promise<void> => {
    const current = editing()
    const saved = current !== null ? await uiConfigs.update(params.app, current.id, body) : await uiConfigs.create(params.app, body)
    toastSuccess(`UI config ${saved.entity}/${saved.scope} saved`)
    resetForm(null)
    await refetch()
  }
  const remove = async (): Promise<void> => {
    const c = deleting()
    if (c === null) return
    try {
      await uiConfigs.remove(params.app, c.id)
      toastSuccess(`UI config ${c.entity}/${c.scope} deleted`)
      setDeleting(null)
      if (editing()?.id === c.id) resetForm(null)
      await refetch()
    } catch (err) { toastError(err) }
  }
  const keys = (c: UiConfig): string => Object.keys(c.config).length > 0 ? Object.keys(c.config).join(', ') : '(empty)'

  return (
    <>
      <PageHeader title='UI configs' subtitle={`Read by client UIs at /api/${params.app}/_ui/config/<entity>.`} />
      <div class='grid gap-6 xl:grid-cols-[1fr_30rem]'>
        <Card>
          <ErrorPanel error={list.error} />
          <Show when={list.latest} fallback={<Empty>Loading…</Empty>}>
            {(envelope) => (
              <>
                <Table testId='ui-configs-table' head={<tr><TH>Entity</TH><TH>Scope</TH><TH>Keys</TH><TH>Updated</TH><TH class='text-right'>Actions</TH></tr>}>
                  <For each={envelope().data} fallback={<tr><td colspan='5'><Empty>No UI configs yet.</Empty></td></tr>}>
                    {(c) => (
                      <tr data-testid={`ui-config-row-${c.entity}-${c.scope}`}>
                        <TD class='font-mono font-medium'>{c.entity}</TD>
                        <TD><Badge tone='blue'>{c.scope}</Badge></TD>
                        <TD class='font-mono text-xs text-neutral-600'>{keys(c)}</TD>
                        <TD class='text-xs text-neutral-600'>{when(c.updated_at)}</TD>
                        <TD class='space-x-2 text-right whitespace-nowrap'>
                          <Button size='sm' variant='secondary' onClick={() => { resetForm(c) }}>Edit</Button>
                          <Button size='sm' variant='ghost' class='!text-red-600' onClick={() => setDeleting(c)}>Delete</Button>
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
        <Card title={editing() !== null ? `Edit ${editing()?.entity ?? ''}/${editing()?.scope ?? ''}` : 'New UI config'}>
          <Show when={entities.latest} fallback={<Empty>Loading entities…</Empty>}>
            {(ents) => (
              <Show when={formKey() + 1} keyed>
                <UiConfigForm entities={ents()} editing={editing()} onSubmit={save} onCancel={() => { resetForm(null) }} />
              </Show>
            )}
          </Show>
        </Card>
      </div>
      <ConfirmDialog open={deleting() !== null} title={`Delete UI config ${deleting()?.entity ?? ''}/${deleting()?.scope ?? ''}?`} onCancel={() => setDeleting(null)} onConfirm={() => { void remove() }}>
        Client UIs reading it fall back to their defaults.
      </ConfirmDialog>
    </>
  )
}
