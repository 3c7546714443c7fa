import { A, useParams } from '@solidjs/router'
import { createResource, createSignal, For, Show, type JSX } from 'solid-js'
import { deleteEntity, listEntities } from '../../api/metadata.js'
import { ConfirmDialog } from '../../components/ConfirmDialog.js'
import { ErrorPanel } from '../../components/ErrorPanel.js'
import { appPath } from '../../components/nav.js'
import { Badge, Button, Card, Checkbox, Empty, PageHeader, Table, TD, TH } from '../../components/ui.js'
import { toastError, toastSuccess } from '../../state/toasts.js'

/** The app's entities with their shape at a glance; create, edit, browse data, delete. */
export function EntitiesPage (): JSX.Element {
  const params = useParams<{ app: string }>()
  const [entities, { refetch }] = createResource(() => params.app, listEntities)
  const [deleting, setDeleting] = createSignal<string | null>(null)
  const [dropTable, setDropTable] = createSignal(false)
  const [busy, setBusy] = createSignal(false)

  const remove = async (): Promise<void> => {
    const name = deleting()
    if (name === null) return
    setBusy(true)
    try {
      await deleteEntity(params.app, name, dropTable())
      toastSuccess(`Entity ${name} deleted${dropTable() ? ' with its table' : ''}`)
      setDeleting(null)
      await refetch()
    } catch (err) {
      toastError(err)
    } finally {
      setBusy(false)
    }
  }

  return (
    <>
      <PageHeader
        title='Entities'
        subtitle='Each entity is a table with a REST API at /api/<app>/<entity>.'
        actions={<A href={appPath(params.app, 'entities/new')} class='rounded-md bg-neutral-900 px-3.5 py-2 text-sm font-medium text-white shadow-sm hover:bg-neutral-700'>New entity</A>}
      />
      <Card>
        <ErrorPanel error={entities.error} />
        <Show when={entities.latest !== undefined} fallback={<Empty>Loading…</Empty>}>
          <Table testId='entities-table' head={<tr><TH>Name</TH><TH>Table</TH><TH>Fields</TH><TH>Features</TH><TH class='text-right'>Actions</TH></tr>}>
            <For each={entities.latest} fallback={<tr><td colspan='5'><Empty>No entities yet.</Empty></td></tr>}>
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
                  <TD class='space-x-2 text-right whitespace-nowrap'>
                    <A href={appPath(params.app, `data/${e.name}`)} class='text-sm text-neutral-600 hover:underline'>Data</A>
                    <A href={appPath(params.app, `entities/${e.name}`)} class='text-sm text-neutral-600 hover:underline'>Edit</A>
                    <Button size='sm' variant='ghost' class='!text-red-600' onClick={() => { setDropTable(false); setDeleting(e.name) }}>Delete</Button>
                  </TD>
                </tr>
              )}
            </For>
          </Table>
        </Show>
      </Card>
      <ConfirmDialog open={deleting() !== null} title={`Delete entity ${deleting() ?? ''}?`} busy={busy()} onCancel={() => setDeleting(null)} onConfirm={() => { void remove() }}>
        <p>The metadata and the relations touching it are removed; the table is kept unless you drop it.</p>
        <div class='mt-3'><Checkbox name='drop-table' label='Also drop the table and its data' checked={dropTable()} onChange={setDropTable} /></div>
      </ConfirmDialog>
    </>
  )
}
