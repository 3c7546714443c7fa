import { createMemo, Show, type JSX } from 'solid-js'
import { parseJson } from './forms.js'
import { Textarea } from './ui.js'

/** A JSON textarea that says at once whether the text parses (and why not). */
export function JsonEditor (props: { name: string, value: string, onInput: (text: string) => void, rows?: number, placeholder?: string, allowEmpty?: boolean }): JSX.Element {
  const problem = createMemo(() => {
    if (props.allowEmpty === true && props.value.trim() === '') return null
    const parsed = parseJson(props.value)
    return parsed.ok ? null : parsed.message
  })
  return (
    <div>
      <Textarea
        name={props.name}
        rows={props.rows ?? 8}
        spellcheck={false}
        placeholder={props.placeholder}
        class={`text-xs ${problem() !== null ? '!ring-red-400' : ''}`}
        value={props.value}
        onInput={(e) => { props.onInput(e.currentTarget.value) }}
      />
      <Show when={problem()} fallback={<span class='mt-1 block text-xs text-emerald-700' data-testid={`${props.name}-ok`}>valid JSON</span>}>
        {(msg) => <span class='mt-1 block text-xs text-red-600' data-testid={`${props.name}-invalid`}>Invalid JSON: {msg()}</span>}
      </Show>
    </div>
  )
}
