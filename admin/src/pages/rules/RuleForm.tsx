import { For, Match, Switch, type JSX } from 'solid-js'
import { createStore } from 'solid-js/store'
import type { EntityDef } from '../../api/types.js'
import { FIELD_OPERATORS, RULE_HOOKS, RULE_TYPES, type RuleBody, type RuleRow, type RuleType } from '../../api/logic.js'
import { messageAt } from '../../components/form-errors.js'
import { ChoiceSelect, EntitySelect, FormActions } from '../../components/form-parts.js'
import { createSubmit } from '../../components/forms.js'
import { Checkbox, FormField, Input, Select, Textarea } from '../../components/ui.js'
import { bodyOf, draftOf, type RuleDraft } from './rule-form.js'

export interface RuleFormProps {
  entities: EntityDef[]
  editing: RuleRow | null
  onSubmit: (body: RuleBody) => Promise<void>
  onCancel: () => void
}

const TYPE_HINTS: Record<RuleType, string> = {
  field: 'a bound or pattern on one field; skipped when the value is absent',
  expression: 'the expression returns true when the rule is VIOLATED',
  computed: 'sets a field from an expression before the write'
}

/** Create or edit a rule; the definition inputs follow the rule type, 422 details show beside them. */
export function RuleForm (props: RuleFormProps): JSX.Element {
  const [d, setD] = createStore<RuleDraft>(draftOf(props.editing))
  const { busy, error, run } = createSubmit()
  const err = (path: string): string | undefined => messageAt(error(), path, true)
  const fields = (): string[] => props.entities.find((e) => e.name === d.entity)?.fields.map((f) => f.name) ?? []

  const submit = async (e: SubmitEvent): Promise<void> => {
    e.preventDefault()
    await run(async () => { await props.onSubmit(bodyOf(d)) })
  }

  const messageInputs = (): JSX.Element => (
    <>
      <FormField label='Message' hint='shown to the client when the rule fails' error={err('definition.message')}>
        <Input name='rule-message' value={d.message} onInput={(e) => setD('message', e.currentTarget.value)} />
      </FormField>
      <Checkbox name='rule-stop-on-fail' label='Stop on fail (skip the remaining rules)' checked={d.stopOnFail} onChange={(v) => setD('stopOnFail', v)} />
    </>
  )
  const expressionInput = (hint: string): JSX.Element => (
    <FormField label='Expression' hint={hint} error={err('definition.expression')}>
      <Textarea name='rule-expression' rows={3} value={d.expression} onInput={(e) => setD('expression', e.currentTarget.value)} />
    </FormField>
  )
  const relatedInput = (): JSX.Element => (
    <FormField label='related_load (JSON, optional)' hint='["items"] or [{"relation": "items", "filter": {"status.in": ["open"]}}]' error={err('definition.related_load')}>
      <Textarea name='rule-related-load' rows={2} value={d.relatedLoad} onInput={(e) => setD('relatedLoad', e.currentTarget.value)} />
    </FormField>
  )
  const fieldSelect = (): JSX.Element => (
    <FormField label='Field' error={err('definition.field')}>
      <Select name='rule-field' value={d.field} onChange={(e) => setD('field', e.currentTarget.value)}>
        <option value=''>choose…</option>
        <For each={fields()}>{(f) => <option value={f}>{f}</option>}</For>
      </Select>
    </FormField>
  )

  return (
    <form class='space-y-3 p-4' onSubmit={(e) => { void submit(e) }} data-testid='rule-form'>
      <div class='grid grid-cols-2 gap-3'>
        <FormField label='Entity' error={err('entity')}>
          <EntitySelect name='rule-entity' value={d.entity} entities={props.entities} onChange={(v) => setD('entity', v)} />
        </FormField>
        <FormField label='Type' error={err('type')}>
          <ChoiceSelect name='rule-type' value={d.type} options={RULE_TYPES} onChange={(v) => setD('type', v)} />
        </FormField>
        <FormField label='Hook' error={err('hook')}>
          <ChoiceSelect name='rule-hook' value={d.type === 'computed' ? 'before_write' : d.hook} disabled={d.type === 'computed'} options={RULE_HOOKS} onChange={(v) => setD('hook', v)} />
        </FormField>
        <FormField label='Priority' hint='lower runs first' error={err('priority')}>
          <Input name='rule-priority' type='number' step='1' value={d.priority} onInput={(e) => setD('priority', e.currentTarget.value)} />
        </FormField>
      </div>
      <p class='text-xs text-neutral-500'>{TYPE_HINTS[d.type]}</p>
      <Switch>
        <Match when={d.type === 'field'}>
          <div class='grid grid-cols-2 gap-3'>
            {fieldSelect()}
            <FormField label='Operator' error={err('definition.operator')}>
              <ChoiceSelect name='rule-operator' value={d.operator} options={FIELD_OPERATORS} onChange={(v) => setD('operator', v)} />
            </FormField>
          </div>
          <FormField label='Value' hint={d.operator === 'pattern' ? 'a regular expression' : 'a number'} error={err('definition.value')}>
            <Input name='rule-value' class='font-mono' value={d.value} onInput={(e) => setD('value', e.currentTarget.value)} />
          </FormField>
          {messageInputs()}
        </Match>
        <Match when={d.type === 'expression'}>
          {expressionInput('e.g. record.total < 0 || (action == \'update\' && old.status == \'paid\')')}
          {messageInputs()}
          {relatedInput()}
        </Match>
        <Match when={d.type === 'computed'}>
          {fieldSelect()}
          {expressionInput("e.g. sum(related.items, 'quantity * unit_price')")}
          {relatedInput()}
        </Match>
      </Switch>
      <Checkbox name='rule-active' label='Active' checked={d.active} onChange={(v) => setD('active', v)} />
      <FormActions error={error()} busy={busy()} editing={props.editing !== null} noun='rule' onCancel={() => { props.onCancel() }} />
    </form>
  )
}
