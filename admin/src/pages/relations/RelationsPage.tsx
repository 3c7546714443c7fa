import { useParams } from '@solidjs/router'
import { createResource, createSignal, For, Show, type JSX } from 'solid-js'
import { createRelation, deleteRelation, listEntities, listRelations, updateRelation } from '../../api/metadata.js'
import type { RelationDef } from '../../api/types.js'
import { ConfirmDialog } from '../../components/ConfirmDialog.js'
import { ErrorPanel } from '../../components/ErrorPanel.js'
import { Badge, Button, Card, Empty, PageHeader, Table, TD, TH } from '../../components/ui.js'
import { toastError, toastSuccess } from '../../state/toasts.js'
import { RelationForm } from './RelationForm.js'

/** The app's relations: list, create, edit (options and keys), delete. */
export function RelationsPage (): JSX.Element {
  const params = useParams<{ app: string }>()
  const [relations, { refetch }] = createResource(() => params.app, listRelations)
  const [entities] = createResource(() => params.app, listEntities)
  const [editing, setEditing] = createSignal<RelationDef | null>(null)
  const [deleting, setDeleting] = createSignal<string | null>(null)
  // Bumped to reset the form after a save.
  const [formKey, setFormKey] = createSignal(0)

  const save = async (body: Record<string, string>): Promise<void> => {
    const current = editing()
    const saved = current !== null ? await updateRelation(params.app, current.name, body) : await createRelation(params.app, body)
    toastSuccess(`Relation ${saved.name} saved`)
    setEditing(null)
    setFormKey((k) => k + 1)
    await refetch()
  }
  const remove = async (): Promise<void> => {
    const name = deleting()
    if (name === null) return
    try {
      await deleteRelation(params.app, name)
      toastSuccess(`Relation ${name} deleted`)
      setDeleting(null)
      await refetch()
    } catch (err) {
      toastError(err)
    }
  }
  const startEdit = (r: RelationDef): void => {
    setEditing(r)
    setFormKey((k) => k + 1)
  }

  return (
    <>
      <PageHeader title='Relations' subtitle='Foreign keys and join tables are migrated with each change.' />
      <div class='grid gap-6 xl:grid-cols-[1fr_26rem]'>
        <Card>
          <ErrorPanel error={relations.error} />
          <Show when={relations.latest !== undefined} fallback={<Empty>Loading…</Empty>}>
            <Table testId='relations-table' head={<tr><TH>Name</TH><TH>Type</TH><TH>From → to</TH><TH>Keys</TH><TH>Options</TH><TH class='text-right'>Actions</TH></tr>}>
              <For each={relations.latest} fallback={<tr><td colspan='6'><Empty>No relations yet.</Empty></td></tr>}>
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
                    <TD class='space-x-2 text-right whitespace-nowrap'>
                      <Button size='sm' variant='secondary' onClick={() => { startEdit(r) }}>Edit</Button>
                      <Button size='sm' variant='ghost' class='!text-red-600' onClick={() => setDeleting(r.name)}>Delete</Button>
                    </TD>
                  </tr>
                )}
              </For>
            </Table>
          </Show>
        </Card>
        <Card title={editing() !== null ? `Edit relation ${editing()?.name ?? ''}` : 'New relation'}>
          <Show when={entities.latest} fallback={<Empty>Loading entities…</Empty>}>
            {(list) => (
              <Show when={formKey() + 1} keyed>
                <RelationForm entities={list()} editing={editing()} onSubmit={save} onCancel={() => { setEditing(null); setFormKey((k) => k + 1) }} />
              </Show>
            )}
          </Show>
        </Card>
      </div>
      <ConfirmDialog open={deleting() !== null} title={`Delete relation ${deleting() ?? ''}?`} onCancel={() => setDeleting(null)} onConfirm={() => { void remove() }}>
        The foreign key constraint is removed; key columns, join tables and data stay.
      </ConfirmDialog>
    </>
  )
}
