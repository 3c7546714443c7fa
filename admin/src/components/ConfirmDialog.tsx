import { Show, type JSX, type ParentProps } from 'solid-js'
import { Button } from './ui.js'

/** A modal asking to confirm a destructive action. */
export function ConfirmDialog (props: ParentProps<{ open: boolean, title: string, confirmLabel?: string, busy?: boolean, onConfirm: () => void, onCancel: () => void }>): JSX.Element {
  return (
    <Show when={props.open}>
      <div class='fixed inset-0 z-40 flex items-center justify-center bg-neutral-900/40 p-4' onClick={(e) => { if (e.target === e.currentTarget) props.onCancel() }}>
        <div role='dialog' aria-modal='true' aria-label={props.title} class='w-full max-w-md rounded-lg bg-white p-5 shadow-xl'>
          <h2 class='text-base font-semibold text-neutral-900'>{props.title}</h2>
          <div class='mt-2 text-sm text-neutral-600'>{props.children}</div>
          <div class='mt-5 flex justify-end gap-2'>
            <Button variant='secondary' onClick={() => { props.onCancel() }}>Cancel</Button>
            <Button variant='danger' disabled={props.busy} onClick={() => { props.onConfirm() }}>{props.confirmLabel ?? 'Delete'}</Button>
          </div>
        </div>
      </div>
    </Show>
  )
}
