import { useParams } from '@solidjs/router'
import { createSignal, Show, type JSX } from 'solid-js'
import { exportSchema, importSchema } from '../../api/ops.js'
import type { ImportReport } from '../../api/ops-types.js'
import { ErrorPanel } from '../../components/ErrorPanel.js'
import { createSubmit, parseJson, pretty } from '../../components/forms.js'
import { JsonEditor } from '../../components/JsonEditor.js'
import { Button, Card, Checkbox, PageHeader } from '../../components/ui.js'
import { toastError, toastSuccess } from '../../state/toasts.js'
import { ImportReportView } from './ImportReportView.js'

/** Saves a value as a JSON file through a temporary object URL. */
function download (filename: string, value: unknown): void {
  const url = URL.createObjectURL(new Blob([pretty(value)], { type: 'application/json' }))
  const a = document.createElement('a')
  a.href = url
  a.download = filename
  document.body.append(a)
  a.click()
  a.remove()
  setTimeout(() => { URL.revokeObjectURL(url) }, 1000)
}

/** Export the app's schema (optionally with sample data) as a file; import a document from a file or pasted. */
export function ExportImportPage (): JSX.Element {
  const params = useParams<{ app: string }>()
  const [includeData, setIncludeData] = createSignal(false)
  const [exporting, setExporting] = createSignal(false)
  const [text, setText] = createSignal('')
  const [fileName, setFileName] = createSignal<string | null>(null)
  const [report, setReport] = createSignal<ImportReport | null>(null)
  const { busy, error, setError, run } = createSubmit()

  const doExport = async (): Promise<void> => {
    setExporting(true)
    try {
      const doc = await exportSchema(params.app, includeData())
      const stamp = new Date().toISOString().slice(0, 19).replace(/[:T]/g, '-')
      download(`${params.app}-export-${stamp}.json`, doc)
      toastSuccess('Export downloaded')
    } catch (err) {
      toastError(err)
    } finally {
      setExporting(false)
    }
  }
  const pickFile = async (file: File | undefined): Promise<void> => {
    if (file === undefined) return
    setFileName(file.name)
    setText(await file.text())
  }
  const doImport = (): void => {
    setReport(null)
    const parsed = parseJson(text())
    if (!parsed.ok) { setError(new Error(`Invalid JSON: ${parsed.message}`)); return }
    void run(async () => {
      setReport(await importSchema(params.app, parsed.value))
      toastSuccess('Import finished')
    })
  }

  return (
    <>
      <PageHeader title='Export / import' subtitle='The schema as one JSON document: entities, relations, rules, state machines, workflows, permissions, webhooks, UI configs.' />
      <div class='grid gap-6 xl:grid-cols-[22rem_1fr]'>
        <Card title='Export'>
          <div class='space-y-3 p-4'>
            <p class='text-sm text-neutral-600'>Without ids or timestamps, so it imports into any app.</p>
            <Checkbox name='export-include-data' label='Include sample data (records)' checked={includeData()} onChange={setIncludeData} />
            <Button name='export' disabled={exporting()} onClick={() => { void doExport() }}>{exporting() ? 'Exporting…' : 'Download export'}</Button>
          </div>
        </Card>
        <Card title='Import'>
          <div class='space-y-3 p-4'>
            <p class='text-sm text-neutral-600'>Idempotent: items already present (by content) are skipped and reported. Choose a file or paste the document.</p>
            <label class='flex items-center gap-3 text-sm'>
              <input name='import-file' type='file' accept='application/json,.json' class='text-sm file:mr-3 file:rounded-md file:border-0 file:bg-neutral-100 file:px-3 file:py-1.5 file:text-sm file:font-medium' onChange={(e) => { void pickFile(e.currentTarget.files?.[0]) }} />
              <Show when={fileName()}>{(n) => <span class='text-xs text-neutral-500'>loaded {n()}</span>}</Show>
            </label>
            <JsonEditor name='import-json' rows={12} value={text()} onInput={setText} placeholder='{"version": 1, "entities": [...], ...}' />
            <ErrorPanel error={error()} />
            <Button name='import' disabled={busy() || text().trim() === ''} onClick={doImport}>{busy() ? 'Importing…' : 'Import'}</Button>
          </div>
          <Show when={report()}>{(r) => <ImportReportView report={r()} />}</Show>
        </Card>
      </div>
    </>
  )
}
