import { useParams } from '@solidjs/router'
import { createResource, Show, type JSX } from 'solid-js'
import { createRelation, deleteRelation, listEntities, listRelations, updateRelation } from '../../api/metadata.js'
import type { RelationDef } from '../../api/types.js'
import { createEditing, useDeleteWithConfirm } from '../../components/list-state.js'
import { ConfirmDelete, EntityFormCard, ResourceTable, RowActions } from '../../components/ResourceList.js'
import { Badge, Card, PageHeader, TD } from '../../components/ui.js'
import { toastSuccess } from '../../state/toasts.js'
import { RelationForm } from './RelationForm.js'

/** The app's relations: list, create, edit (options and keys), delete. */
export function RelationsPage (): JSX.Element {
  const params = useParams<{ app: string }>()
  const [relations, { refetch }] = createResource(() => params.app, listRelations)
  const [entities] = createResource(() => params.app, listEntities)
  const editor = createEditing<RelationDef | null>(null)
  const del = useDeleteWithConfirm<string>({
    remove: async (name) => { await deleteRelation(params.app, name) },
    message: (name) => `Relation ${name} deleted`,
    refetch
  })

  const save = async (body: Record<string, string>): Promise<void> => {
    const current = editor.current()
    const saved = current !== null ? await updateRelation(params.app, current.name, body) : await createRelation(params.app, body)
    toastSuccess(`Relation ${saved.name} saved`)
    editor.open(null)
    await refetch()
  }

  return (
    <>
      <PageHeader title='Relations' subtitle='Foreign keys and join tables are migrated with each change.' />
      <div class='grid gap-6 xl:grid-cols-[1fr_26rem]'>
        <Card>
          <ResourceTable testId='relations-table' columns={['Name', 'Type', 'From → to', 'Keys', 'Options']} actions items={relations.latest} error={relations.error} empty='No relations yet.'>
            {(r) => (
              <tr data-testid={`relation-row-${r.name}`}>
                <TD class='font-mono font-medium'>{r.name}<Show when={r.inverse_name}><span class='block text-xs text-neutral-500'>inverse: {r.inverse_name}</span></Show></TD>
                <TD><Badge tone='blue'>{r.type}</Badge></TD>
                <TD class='font-mono'>{r.source} → {r.target}</TD>
                <TD class='font-mono text-xs text-neutral-600'>
                  {r.source_key} ↔ {r.target_key}
                  <Show when={r.type === 'many_to_many'}><span class='block'>via {r.join_table}</span></Show>
                </TD>
                <TD class='text-xs text-neutral-600'>on delete {r.on_delete} · {r.fetch} · {r.write_mode}</TD>
                <RowActions onEdit={() => { editor.open(r) }} onDelete={() => { del.ask(r.name) }} />
              </tr>
            )}
          </ResourceTable>
        </Card>
        <EntityFormCard title={editor.current() !== null ? `Edit relation ${editor.current()?.name ?? ''}` : 'New relation'} entities={entities.latest} version={editor.version()}>
          {(list) => <RelationForm entities={list()} editing={editor.current()} onSubmit={save} onCancel={() => { editor.open(null) }} />}
        </EntityFormCard>
      </div>
      <ConfirmDelete of={del} title={`Delete relation ${del.target() ?? ''}?`}>
        The foreign key constraint is removed; key columns, join tables and data stay.
      </ConfirmDelete>
    </>
  )
}
