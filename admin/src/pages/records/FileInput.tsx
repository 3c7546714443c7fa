import { createSignal, Show, type JSX } from 'solid-js'
import { downloadFile, uploadFile } from '../../api/records.js'
import type { FileInfo } from '../../api/types.js'
import { Button } from '../../components/ui.js'
import { toastError } from '../../state/toasts.js'

const size = (n: number): string => n < 1024 ? `${n} B` : n < 1024 * 1024 ? `${(n / 1024).toFixed(1)} KB` : `${(n / 1024 / 1024).toFixed(1)} MB`

/** A `file` field: uploads through `_files/upload` at once and holds the stored file; download and clear. */
export function FileInput (props: { app: string, name: string, value: FileInfo | null, onChange: (v: FileInfo | null) => void }): JSX.Element {
  const [busy, setBusy] = createSignal(false)
  let input: HTMLInputElement | undefined
  const upload = async (file: File | undefined): Promise<void> => {
    if (file === undefined) return
    setBusy(true)
    try {
      props.onChange(await uploadFile(props.app, file))
    } catch (err) {
      toastError(err)
    } finally {
      setBusy(false)
      if (input !== undefined) input.value = ''
    }
  }
  return (
    <div class='flex flex-wrap items-center gap-2 rounded-md px-2.5 py-1.5 text-sm ring-1 ring-inset ring-neutral-300' data-testid={`file-input-${props.name}`}>
      <Show when={props.value} fallback={<span class='text-neutral-400'>{busy() ? 'Uploading…' : 'No file'}</span>}>
        {(f) => (
          <>
            <span class='font-medium text-neutral-800' data-testid='file-name'>{f().filename}</span>
            <span class='text-xs text-neutral-500'>{size(f().size)} · {f().mime_type}</span>
            <Button size='sm' variant='ghost' onClick={() => { downloadFile(props.app, f()).catch(toastError) }}>Download</Button>
            <Button size='sm' variant='ghost' onClick={() => { props.onChange(null) }}>Clear</Button>
          </>
        )}
      </Show>
      <label class='ml-auto cursor-pointer rounded-md bg-white px-2.5 py-1 text-xs font-medium ring-1 ring-neutral-300 hover:bg-neutral-50'>
        {props.value !== null ? 'Replace…' : 'Upload…'}
        <input ref={input} type='file' name={`upload-${props.name}`} class='sr-only' disabled={busy()} onChange={(e) => { void upload(e.currentTarget.files?.[0]) }} />
      </label>
    </div>
  )
}
