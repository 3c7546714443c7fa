import { useParams } from '@solidjs/router'
import { createResource, createSignal, For, Show, type JSX } from 'solid-js'
import { invites } from '../../api/ops.js'
import { INVITE_STATUSES, type BulkInviteResult, type Invite, type InviteStatus } from '../../api/ops-types.js'
import { when } from '../../components/forms.js'
import { useDeleteWithConfirm } from '../../components/list-state.js'
import { ConfirmDelete, HeaderFilter, ResourceTable, RowActions } from '../../components/ResourceList.js'
import { Badge, Card, PageHeader, TD } from '../../components/ui.js'
import { toastSuccess } from '../../state/toasts.js'
import { BulkInviteForm, InviteForm, InviteToken } from './InviteForms.js'

const TONES: Record<InviteStatus, 'neutral' | 'green' | 'amber' | 'blue'> = { pending: 'blue', accepted: 'green', revoked: 'neutral', expired: 'amber' }

/** Invites: list by status, create one or many, show a new invite's token once, revoke. */
export function InvitesPage (): JSX.Element {
  const params = useParams<{ app: string }>()
  const [status, setStatus] = createSignal('')
  const [list, { refetch }] = createResource(() => ({ app: params.app, status: status() }), async (q) => await invites.list(q.app, { status: q.status }))
  const [created, setCreated] = createSignal<Invite | null>(null)
  const revoking = useDeleteWithConfirm<Invite>({
    remove: async (invite) => { await invites.remove(params.app, invite.id) },
    message: (invite) => `Invite for ${invite.email} revoked`,
    refetch
  })

  const createOne = async (body: { email: string, roles: string[] }): Promise<void> => {
    const invite = await invites.create(params.app, body)
    setCreated(invite)
    toastSuccess(`Invite for ${invite.email} created`)
    await refetch()
  }
  const createMany = async (body: { emails: string[], roles: string[] }): Promise<BulkInviteResult> => {
    const result = await invites.bulk(params.app, body)
    toastSuccess(`${result.summary.created} invites created, ${result.summary.skipped} skipped`)
    await refetch()
    return result
  }

  return (
    <>
      <PageHeader
        title='Invites'
        subtitle='One-time tokens that let a person create their account with the given roles.'
        actions={<HeaderFilter label='Status' name='invite-status-filter' class='!w-32' value={status()} options={INVITE_STATUSES} onChange={setStatus} />}
      />
      <Show when={created()?.token !== undefined ? created() : null}>{(i) => <InviteToken app={params.app} invite={i()} onClose={() => setCreated(null)} />}</Show>
      <div class='grid gap-6 xl:grid-cols-[1fr_24rem]'>
        <Card>
          <ResourceTable testId='invites-table' columns={['Email', 'Roles', 'Status', 'Expires', 'Created']} actions items={list.latest} error={list.error} empty='No invites.'>
            {(i) => (
              <tr data-testid={`invite-row-${i.email}`}>
                <TD class='font-medium'>{i.email}</TD>
                <TD><div class='flex flex-wrap gap-1'><For each={i.roles}>{(r) => <Badge tone='blue'>{r}</Badge>}</For></div></TD>
                <TD><Badge tone={TONES[i.status]}>{i.status}</Badge></TD>
                <TD class='text-xs text-neutral-600'>{when(i.expires_at)}</TD>
                <TD class='text-xs text-neutral-600'>{when(i.created_at)}</TD>
                <RowActions deleteLabel='Revoke' onDelete={i.status === 'pending' || i.status === 'expired' ? () => { revoking.ask(i) } : undefined} />
              </tr>
            )}
          </ResourceTable>
        </Card>
        <div class='space-y-6'>
          <Card title='New invite'><InviteForm onSubmit={createOne} /></Card>
          <Card title='Bulk invites'><BulkInviteForm onSubmit={createMany} /></Card>
        </div>
      </div>
      <ConfirmDelete of={revoking} title={`Revoke the invite for ${revoking.target()?.email ?? ''}?`} confirmLabel='Revoke'>
        Its token stops working at once. The email can be invited again afterwards.
      </ConfirmDelete>
    </>
  )
}
