import { A, useParams } from '@solidjs/router'
import { createResource, createSignal, Show, type JSX } from 'solid-js'
import { deleteEntity, listEntities } from '../../api/metadata.js'
import { useDeleteWithConfirm } from '../../components/list-state.js'
import { appPath } from '../../components/nav.js'
import { ConfirmDelete, ResourceTable, RowActions } from '../../components/ResourceList.js'
import { Badge, Card, Checkbox, PageHeader, TD } from '../../components/ui.js'

/** The app's entities with their shape at a glance; create, edit, browse data, delete. */
export function EntitiesPage (): JSX.Element {
  const params = useParams<{ app: string }>()
  const [entities, { refetch }] = createResource(() => params.app, listEntities)
  const [dropTable, setDropTable] = createSignal(false)
  const del = useDeleteWithConfirm<string>({
    remove: async (name) => { await deleteEntity(params.app, name, dropTable()) },
    message: (name) => `Entity ${name} deleted${dropTable() ? ' with its table' : ''}`,
    refetch
  })

  return (
    <>
      <PageHeader
        title='Entities'
        subtitle='Each entity is a table with a REST API at /api/<app>/<entity>.'
        actions={<A href={appPath(params.app, 'entities/new')} class='rounded-md bg-neutral-900 px-3.5 py-2 text-sm font-medium text-white shadow-sm hover:bg-neutral-700'>New entity</A>}
      />
      <Card>
        <ResourceTable testId='entities-table' columns={['Name', 'Table', 'Fields', 'Features']} actions items={entities.latest} error={entities.error} empty='No entities yet.'>
          {(e) => (
            <tr data-testid={`entity-row-${e.name}`}>
              <TD><A href={appPath(params.app, `entities/${e.name}`)} class='font-mono font-medium hover:underline'>{e.name}</A></TD>
              <TD class='font-mono text-neutral-500'>{e.table}</TD>
              <TD class='max-w-md text-neutral-600'>
                <span class='line-clamp-2'>{e.fields.map((f) => `${f.name}: ${f.type}`).join(', ')}</span>
              </TD>
              <TD class='space-x-1 whitespace-nowrap'>
                <Show when={e.soft_delete === true}><Badge>soft delete</Badge></Show>
                <Show when={e.slug !== undefined}><Badge tone='blue'>slug</Badge></Show>
              </TD>
              <RowActions onDelete={() => { setDropTable(false); del.ask(e.name) }}>
                <A href={appPath(params.app, `data/${e.name}`)} class='text-sm text-neutral-600 hover:underline'>Data</A>
                <A href={appPath(params.app, `entities/${e.name}`)} class='text-sm text-neutral-600 hover:underline'>Edit</A>
              </RowActions>
            </tr>
          )}
        </ResourceTable>
      </Card>
      <ConfirmDelete of={del} title={`Delete entity ${del.target() ?? ''}?`} busy={del.busy()}>
        <p>The metadata and the relations touching it are removed; the table is kept unless you drop it.</p>
        <div class='mt-3'><Checkbox name='drop-table' label='Also drop the table and its data' checked={dropTable()} onChange={setDropTable} /></div>
      </ConfirmDelete>
    </>
  )
}
