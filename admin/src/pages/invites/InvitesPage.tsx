import { useParams } from '@solidjs/router'
import { createResource, createSignal, For, Show, type JSX } from 'solid-js'
import { invites } from '../../api/ops.js'
import { INVITE_STATUSES, type BulkInviteResult, type Invite, type InviteStatus } from '../../api/ops-types.js'
import { ConfirmDialog } from '../../components/ConfirmDialog.js'
import { ErrorPanel } from '../../components/ErrorPanel.js'
import { when } from '../../components/forms.js'
import { Badge, Button, Card, Empty, PageHeader, Select, Table, TD, TH } from '../../components/ui.js'
import { toastError, toastSuccess } from '../../state/toasts.js'
import { BulkInviteForm, InviteForm, InviteToken } from './InviteForms.js'

const TONES: Record<InviteStatus, 'neutral' | 'green' | 'amber' | 'blue'> = { pending: 'blue', accepted: 'green', revoked: 'neutral', expired: 'amber' }

/** Invites: list by status, create one or many, show a new invite's token once, revoke. */
export function InvitesPage (): JSX.Element {
  const params = useParams<{ app: string }>()
  const [status, setStatus] = createSignal('')
  const [list, { refetch }] = createResource(() => ({ app: params.app, status: status() }), async (q) => await invites.list(q.app, { status: q.status }))
  const [created, setCreated] = createSignal<Invite | null>(null)
  const [revoking, setRevoking] = createSignal<Invite | null>(null)

  const createOne = async (body: { email: string, roles: string[] }): Promise<void> => {
    const invite = await invites.create(params.app, body)
    setCreated(invite)
    toastSuccess(`Invite for ${invite.email} created`)
    await refetch()
  }
  const createMany = async (body: { emails: string[], roles: string[] }): Promise<BulkInviteResult> => {
    const result = await invites.bulk(params.app, body)
    toastSuccess(`${result.created.length} invites created, ${result.skipped.length} skipped`)
    await refetch()
    return result
  }
  const revoke = async (): Promise<void> => {
    const invite = revoking()
    if (invite === null) return
    try {
      await invites.remove(params.app, invite.id)
      toastSuccess(`Invite for ${invite.email} revoked`)
      setRevoking(null)
      await refetch()
    } catch (err) { toastError(err) }
  }

  return (
    <>
      <PageHeader
        title='Invites'
        subtitle='One-time tokens that let a person create their account with the given roles.'
        actions={
          <label class='flex items-center gap-2 text-xs text-neutral-600'>Status
            <Select name='invite-status-filter' class='!w-32' value={status()} onChange={(e) => setStatus(e.currentTarget.value)}>
              <option value=''>all</option>
              <For each={INVITE_STATUSES}>{(s) => <option value={s}>{s}</option>}</For>
            </Select>
          </label>
        }
      />
      <Show when={created()?.token !== undefined ? created() : null}>{(i) => <InviteToken app={params.app} invite={i()} onClose={() => setCreated(null)} />}</Show>
      <div class='grid gap-6 xl:grid-cols-[1fr_24rem]'>
        <Card>
          <ErrorPanel error={list.error} />
          <Show when={list.latest} fallback={<Empty>Loading…</Empty>}>
            {(rows) => (
              <Table testId='invites-table' head={<tr><TH>Email</TH><TH>Roles</TH><TH>Status</TH><TH>Expires</TH><TH>Created</TH><TH class='text-right'>Actions</TH></tr>}>
                <For each={rows()} fallback={<tr><td colspan='6'><Empty>No invites.</Empty></td></tr>}>
                  {(i) => (
                    <tr data-testid={`invite-row-${i.email}`}>
                      <TD class='font-medium'>{i.email}</TD>
                      <TD><div class='flex flex-wrap gap-1'><For each={i.roles}>{(r) => <Badge tone='blue'>{r}</Badge>}</For></div></TD>
                      <TD><Badge tone={TONES[i.status]}>{i.status}</Badge></TD>
                      <TD class='text-xs text-neutral-600'>{when(i.expires_at)}</TD>
                      <TD class='text-xs text-neutral-600'>{when(i.created_at)}</TD>
                      <TD class='text-right'>
                        <Show when={i.status === 'pending' || i.status === 'expired'}>
                          <Button size='sm' variant='ghost' class='!text-red-600' onClick={() => setRevoking(i)}>Revoke</Button>
                        </Show>
                      </TD>
                    </tr>
                  )}
                </For>
              </Table>
            )}
          </Show>
        </Card>
        <div class='space-y-6'>
          <Card title='New invite'><InviteForm onSubmit={createOne} /></Card>
          <Card title='Bulk invites'><BulkInviteForm onSubmit={createMany} /></Card>
        </div>
      </div>
      <ConfirmDialog open={revoking() !== null} title={`Revoke the invite for ${revoking()?.email ?? ''}?`} confirmLabel='Revoke' onCancel={() => setRevoking(null)} onConfirm={() => { void revoke() }}>
        Its token stops working at once. The email can be invited again afterwards.
      </ConfirmDialog>
    </>
  )
}
