import { useParams } from '@solidjs/router'
import { createResource, createSignal, For, Show, type JSX } from 'solid-js'
import { users } from '../../api/ops.js'
import type { AppUser } from '../../api/ops-types.js'
import { ConfirmDialog } from '../../components/ConfirmDialog.js'
import { ErrorPanel } from '../../components/ErrorPanel.js'
import { when } from '../../components/forms.js'
import { Badge, Button, Card, Empty, PageHeader, Table, TD, TH } from '../../components/ui.js'
import { toastError, toastSuccess } from '../../state/toasts.js'
import { Pagination } from '../records/Pagination.js'
import { UserForm, type UserBody } from './UserForm.js'

/** The app's users: list, create (with a write-only password), edit, deactivate, delete. */
export function UsersPage (): JSX.Element {
  const params = useParams<{ app: string }>()
  const [paging, setPaging] = createSignal({ page: 1, per_page: 25 })
  const [list, { refetch }] = createResource(() => ({ app: params.app, ...paging() }), async (q) => await users.page(q.app, { page: q.page, per_page: q.per_page }))
  const [editing, setEditing] = createSignal<AppUser | null>(null)
  const [deleting, setDeleting] = createSignal<AppUser | null>(null)
  const [formKey, setFormKey] = createSignal(0)
  const resetForm = (u: AppUser | null): void => { setEditing(u); setFormKey((k) => k + 1) }

  const save = async (body: UserBody): Promise<void> => {
    const current = editing()
    const saved = current !== null ? await users.update(params.app, current.id, body) : await users.create(params.app, body)
    toastSuccess(`User ${saved.email} saved`)
    resetForm(null)
    await refetch()
  }
  const setActive = async (u: AppUser, active: boolean): Promise<void> => {
    try {
      await users.update(params.app, u.id, { active })
      toastSuccess(`User ${u.email} ${active ? 'reactivated' : 'deactivated'}`)
      await refetch()
    } catch (err) { toastError(err) }
  }
  const remove = async (): Promise<void> => {
    const u = deleting()
    if (u === null) return
    try {
      await users.remove(params.app, u.id)
      toastSuccess(`User ${u.email} deleted`)
      setDeleting(null)
      if (editing()?.id === u.id) resetForm(null)
      await refetch()
    } catch (err) { toastError(err) }
  }

  return (
    <>
      <PageHeader title='Users' subtitle='People who sign in to this app. Passwords are write-only; roles drive permissions.' />
      <div class='grid gap-6 xl:grid-cols-[1fr_24rem]'>
        <Card>
          <ErrorPanel error={list.error} />
          <Show when={list.latest} fallback={<Empty>Loading…</Empty>}>
            {(envelope) => (
              <>
                <Table testId='users-table' head={<tr><TH>Email</TH><TH>Roles</TH><TH>Status</TH><TH>Created</TH><TH class='text-right'>Actions</TH></tr>}>
                  <For each={envelope().data} fallback={<tr><td colspan='5'><Empty>No users yet.</Empty></td></tr>}>
                    {(u) => (
                      <tr data-testid={`user-row-${u.email}`}>
                        <TD class='font-medium'>{u.email}</TD>
                        <TD><div class='flex flex-wrap gap-1'><For each={u.roles} fallback={<span class='text-xs text-neutral-400'>none</span>}>{(r) => <Badge tone='blue'>{r}</Badge>}</For></div></TD>
                        <TD>{u.active ? <Badge tone='green'>active</Badge> : <Badge tone='amber'>inactive</Badge>}</TD>
                        <TD class='text-xs text-neutral-600'>{when(u.created_at)}</TD>
                        <TD class='space-x-2 text-right whitespace-nowrap'>
                          <Button size='sm' variant='secondary' onClick={() => { resetForm(u) }}>Edit</Button>
                          <Button size='sm' variant='secondary' onClick={() => { void setActive(u, !u.active) }}>{u.active ? 'Deactivate' : 'Reactivate'}</Button>
                          <Button size='sm' variant='ghost' class='!text-red-600' onClick={() => setDeleting(u)}>Delete</Button>
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
        <Card title={editing() !== null ? `Edit ${editing()?.email ?? ''}` : 'New user'}>
          <Show when={formKey() + 1} keyed>
            <UserForm editing={editing()} onSubmit={save} onCancel={() => { resetForm(null) }} />
          </Show>
        </Card>
      </div>
      <ConfirmDialog open={deleting() !== null} title={`Delete user ${deleting()?.email ?? ''}?`} onCancel={() => setDeleting(null)} onConfirm={() => { void remove() }}>
        The account is removed and its tokens stop working. To keep the history, deactivate instead.
      </ConfirmDialog>
    </>
  )
}
