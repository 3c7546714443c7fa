import { useParams } from '@solidjs/router'
import { createResource, createSignal, For, Show, type JSX } from 'solid-js'
import { rulesApi, type RuleBody, type RuleRow } from '../../api/logic.js'
import { listEntities } from '../../api/metadata.js'
import { ConfirmDialog } from '../../components/ConfirmDialog.js'
import { ErrorPanel } from '../../components/ErrorPanel.js'
import { Badge, Button, Card, Empty, PageHeader, Table, TD, TH } from '../../components/ui.js'
import { toastError, toastSuccess } from '../../state/toasts.js'
import { ExpressionTester } from './ExpressionTester.js'
import { RuleForm } from './RuleForm.js'
import { summaryOf } from './rule-form.js'

/** Validation rules and computed fields: list, create, edit, delete, plus the expression tester. */
export function RulesPage (): JSX.Element {
  const params = useParams<{ app: string }>()
  const [rules, { refetch }] = createResource(() => params.app, rulesApi.list)
  const [entities] = createResource(() => params.app, listEntities)
  const [editing, setEditing] = createSignal<RuleRow | null>(null)
  const [deleting, setDeleting] = createSignal<RuleRow | null>(null)
  const [formKey, setFormKey] = createSignal(0)

  const resetForm = (rule: RuleRow | null): void => {
    setEditing(rule)
    setFormKey((k) => k + 1)
  }
  const save = async (body: RuleBody): Promise<void> => {
    const current = editing()
    if (current !== null) await rulesApi.update(params.app, current.id, body)
    else await rulesApi.create(params.app, body)
    toastSuccess(`Rule on ${body.entity} saved`)
    resetForm(null)
    await refetch()
  }
  const remove = async (): Promise<void> => {
    const rule = deleting()
    if (rule === null) return
    try {
      await rulesApi.remove(params.app, rule.id)
      toastSuccess('Rule deleted')
      setDeleting(null)
      if (editing()?.id === rule.id) resetForm(null)
      await refetch()
    } catch (err) {
      toastError(err)
    }
  }

  return (
    <>
      <PageHeader title='Rules' subtitle='Field rules, expression rules and computed fields, run on every write in priority order.' />
      <div class='grid gap-6 xl:grid-cols-[minmax(0,1fr)_28rem]'>
        <Card class='self-start'>
          <ErrorPanel error={rules.error} />
          <Show when={rules.latest !== undefined} fallback={<Empty>Loading…</Empty>}>
            <Table testId='rules-table' head={<tr><TH>Entity</TH><TH>Type · hook</TH><TH>Definition</TH><TH>Priority</TH><TH>Active</TH><TH class='text-right'>Actions</TH></tr>}>
              <For each={rules.latest} fallback={<tr><td colspan='6'><Empty>No rules yet.</Empty></td></tr>}>
                {(r) => (
                  <tr data-testid={`rule-row-${r.id}`} class={editing()?.id === r.id ? 'bg-sky-50/50' : ''}>
                    <TD class='font-mono font-medium'>{r.entity}</TD>
                    <TD><Badge tone='blue'>{r.type}</Badge><span class='mt-0.5 block font-mono text-xs text-neutral-500'>{r.hook}</span></TD>
                    <TD class='max-w-[18rem]'>
                      <code class='block truncate font-mono text-xs text-neutral-800' title={summaryOf(r)}>{summaryOf(r)}</code>
                      <Show when={typeof r.definition.message === 'string'}><span class='block truncate text-xs text-neutral-500'>“{String(r.definition.message)}”</span></Show>
                    </TD>
                    <TD class='font-mono'>{r.priority}</TD>
                    <TD><Badge tone={r.active ? 'green' : 'neutral'}>{r.active ? 'active' : 'off'}</Badge></TD>
                    <TD class='space-x-2 text-right whitespace-nowrap'>
                      <Button size='sm' variant='secondary' onClick={() => { resetForm(r) }}>Edit</Button>
                      <Button size='sm' variant='ghost' class='!text-red-600' onClick={() => setDeleting(r)}>Delete</Button>
                    </TD>
                  </tr>
                )}
              </For>
            </Table>
          </Show>
        </Card>
        <Card class='self-start' title={editing() !== null ? `Edit rule on ${editing()?.entity ?? ''}` : 'New rule'}>
          <Show when={entities.latest} fallback={<Empty>Loading entities…</Empty>}>
            {(list) => (
              <Show when={formKey() + 1} keyed>
                <RuleForm entities={list()} editing={editing()} onSubmit={save} onCancel={() => { resetForm(null) }} />
              </Show>
            )}
          </Show>
        </Card>
      </div>
      <ExpressionTester app={params.app} />
      <ConfirmDialog open={deleting() !== null} title='Delete this rule?' onCancel={() => setDeleting(null)} onConfirm={() => { void remove() }}>
        The rule on {deleting()?.entity} stops applying to the next write.
      </ConfirmDialog>
    </>
  )
}
