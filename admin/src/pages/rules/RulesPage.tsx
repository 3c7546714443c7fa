import { useParams } from '@solidjs/router'
import { createResource, Show, type JSX } from 'solid-js'
import { rulesApi, type RuleBody, type RuleRow } from '../../api/logic.js'
import { listEntities } from '../../api/metadata.js'
import { createEditing, useDeleteWithConfirm } from '../../components/list-state.js'
import { ConfirmDelete, EntityFormCard, ResourceTable, RowActions } from '../../components/ResourceList.js'
import { Badge, Card, PageHeader, TD } from '../../components/ui.js'
import { toastSuccess } from '../../state/toasts.js'
import { ExpressionTester } from './ExpressionTester.js'
import { RuleForm } from './RuleForm.js'
import { summaryOf } from './rule-form.js'

/** Validation rules and computed fields: list, create, edit, delete, plus the expression tester. */
export function RulesPage (): JSX.Element {
  const params = useParams<{ app: string }>()
  const [rules, { refetch }] = createResource(() => params.app, rulesApi.list)
  const [entities] = createResource(() => params.app, listEntities)
  const editor = createEditing<RuleRow | null>(null)
  const del = useDeleteWithConfirm<RuleRow>({
    remove: async (rule) => { await rulesApi.remove(params.app, rule.id) },
    message: () => 'Rule deleted',
    onDeleted: (rule) => { if (editor.current()?.id === rule.id) editor.open(null) },
    refetch
  })

  const save = async (body: RuleBody): Promise<void> => {
    const current = editor.current()
    if (current !== null) await rulesApi.update(params.app, current.id, body)
    else await rulesApi.create(params.app, body)
    toastSuccess(`Rule on ${body.entity} saved`)
    editor.open(null)
    await refetch()
  }

  return (
    <>
      <PageHeader title='Rules' subtitle='Field rules, expression rules and computed fields, run on every write in priority order.' />
      <div class='grid gap-6 xl:grid-cols-[minmax(0,1fr)_28rem]'>
        <Card class='self-start'>
          <ResourceTable testId='rules-table' columns={['Entity', 'Type · hook', 'Definition', 'Priority', 'Active']} actions items={rules.latest} error={rules.error} empty='No rules yet.'>
            {(r) => (
              <tr data-testid={`rule-row-${r.id}`} class={editor.current()?.id === r.id ? 'bg-sky-50/50' : ''}>
                <TD class='font-mono font-medium'>{r.entity}</TD>
                <TD><Badge tone='blue'>{r.type}</Badge><span class='mt-0.5 block font-mono text-xs text-neutral-500'>{r.hook}</span></TD>
                <TD class='max-w-[18rem]'>
                  <code class='block truncate font-mono text-xs text-neutral-800' title={summaryOf(r)}>{summaryOf(r)}</code>
                  <Show when={typeof r.definition.message === 'string'}><span class='block truncate text-xs text-neutral-500'>“{String(r.definition.message)}”</span></Show>
                </TD>
                <TD class='font-mono'>{r.priority}</TD>
                <TD><Badge tone={r.active ? 'green' : 'neutral'}>{r.active ? 'active' : 'off'}</Badge></TD>
                <RowActions onEdit={() => { editor.open(r) }} onDelete={() => { del.ask(r) }} />
              </tr>
            )}
          </ResourceTable>
        </Card>
        <EntityFormCard class='self-start' title={editor.current() !== null ? `Edit rule on ${editor.current()?.entity ?? ''}` : 'New rule'} entities={entities.latest} version={editor.version()}>
          {(list) => <RuleForm entities={list()} editing={editor.current()} onSubmit={save} onCancel={() => { editor.open(null) }} />}
        </EntityFormCard>
      </div>
      <ExpressionTester app={params.app} />
      <ConfirmDelete of={del} title='Delete this rule?'>
        The rule on {del.target()?.entity} stops applying to the next write.
      </ConfirmDelete>
    </>
  )
}
