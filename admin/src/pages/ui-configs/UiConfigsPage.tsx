import { useParams } from '@solidjs/router'
import { createResource, type JSX } from 'solid-js'
import { listEntities } from '../../api/metadata.js'
import { uiConfigs } from '../../api/ops.js'
import type { UiConfig } from '../../api/ops-types.js'
import { when } from '../../components/forms.js'
import { createEditing, createPaging, useDeleteWithConfirm } from '../../components/list-state.js'
import { ConfirmDelete, EntityFormCard, ResourceTable, RowActions } from '../../components/ResourceList.js'
import { Badge, Card, PageHeader, TD } from '../../components/ui.js'
import { toastSuccess } from '../../state/toasts.js'
import { UiConfigForm, type UiConfigBody } from './UiConfigForm.js'

const keys = (c: UiConfig): string => Object.keys(c.config).length > 0 ? Object.keys(c.config).join(', ') : '(empty)'

/** UI configs: JSON documents client UIs read through `/api/<app>/_ui/config/<entity>`. */
export function UiConfigsPage (): JSX.Element {
  const params = useParams<{ app: string }>()
  const paging = createPaging()
  const [list, { refetch }] = createResource(() => ({ app: params.app, ...paging.query() }), async ({ app, ...q }) => await uiConfigs.page(app, q))
  const [entities] = createResource(() => params.app, listEntities)
  const editor = createEditing<UiConfig | null>(null)
  const del = useDeleteWithConfirm<UiConfig>({
    remove: async (c) => { await uiConfigs.remove(params.app, c.id) },
    message: (c) => `UI config ${c.entity}/${c.scope} deleted`,
    onDeleted: (c) => { if (editor.current()?.id === c.id) editor.open(null) },
    refetch
  })

  const save = async (body: UiConfigBody): Promise<void> => {
    const current = editor.current()
    const saved = current !== null ? await uiConfigs.update(params.app, current.id, body) : await uiConfigs.create(params.app, body)
    toastSuccess(`UI config ${saved.entity}/${saved.scope} saved`)
    editor.open(null)
    await refetch()
  }

  return (
    <>
      <PageHeader title='UI configs' subtitle={`Read by client UIs at /api/${params.app}/_ui/config/<entity>.`} />
      <div class='grid gap-6 xl:grid-cols-[1fr_30rem]'>
        <Card>
          <ResourceTable testId='ui-configs-table' columns={['Entity', 'Scope', 'Keys', 'Updated']} actions items={list.latest?.data} meta={list.latest?.meta} paging={paging} error={list.error} empty='No UI configs yet.'>
            {(c) => (
              <tr data-testid={`ui-config-row-${c.entity}-${c.scope}`}>
                <TD class='font-mono font-medium'>{c.entity}</TD>
                <TD><Badge tone='blue'>{c.scope}</Badge></TD>
                <TD class='font-mono text-xs text-neutral-600'>{keys(c)}</TD>
                <TD class='text-xs text-neutral-600'>{when(c.updated_at)}</TD>
                <RowActions onEdit={() => { editor.open(c) }} onDelete={() => { del.ask(c) }} />
              </tr>
            )}
          </ResourceTable>
        </Card>
        <EntityFormCard title={editor.current() !== null ? `Edit ${editor.current()?.entity ?? ''}/${editor.current()?.scope ?? ''}` : 'New UI config'} entities={entities.latest} version={editor.version()}>
          {(ents) => <UiConfigForm entities={ents()} editing={editor.current()} onSubmit={save} onCancel={() => { editor.open(null) }} />}
        </EntityFormCard>
      </div>
      <ConfirmDelete of={del} title={`Delete UI config ${del.target()?.entity ?? ''}/${del.target()?.scope ?? ''}?`}>
        Client UIs reading it fall back to their defaults.
      </ConfirmDelete>
    </>
  )
}
