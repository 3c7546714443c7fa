import { For, Show, type JSX } from 'solid-js'
import type { ImportReport, KindReport, SampleReport } from '../../api/ops-types.js'
import { Badge, Table, TD, TH } from '../../components/ui.js'

const isKind = (v: KindReport | Record<string, SampleReport>): v is KindReport => Array.isArray((v as Partial<KindReport>).created)
const names = (items: Array<{ name: string }>): string => items.map((i) => i.name).join(', ')

/** What an import did per kind (created / updated / skipped with reasons / errors with details), and the sample rows per entity. */
export function ImportReportView (props: { report: ImportReport }): JSX.Element {
  const kinds = (): Array<[string, KindReport]> => Object.entries(props.report).filter((e): e is [string, KindReport] => isKind(e[1]))
  const samples = (): Array<[string, SampleReport]> => {
    const s = props.report.sample_data
    return s !== undefined && !isKind(s) ? Object.entries(s) : []
  }
  const errorCount = (): number => kinds().reduce((n, [, k]) => n + k.errors.length, 0) + samples().reduce((n, [, s]) => n + s.errors.length, 0)
  return (
    <div data-testid='import-report'>
      <p class='px-4 pt-3 text-sm' data-testid='import-summary'>
        {errorCount() === 0 ? <Badge tone='green'>no errors</Badge> : <Badge tone='amber'>{errorCount()} errors</Badge>}
      </p>
      <Table head={<tr><TH>Kind</TH><TH>Created</TH><TH>Updated</TH><TH>Skipped</TH><TH>Errors</TH></tr>}>
        <For each={kinds()}>
          {([kind, r]) => (
            <tr data-testid={`import-kind-${kind}`}>
              <TD class='font-mono font-medium'>{kind}</TD>
              <TD class='text-xs'><span class='font-semibold'>{r.created.length}</span> <span class='text-neutral-500'>{names(r.created)}</span></TD>
              <TD class='text-xs'><span class='font-semibold'>{r.updated.length}</span> <span class='text-neutral-500'>{names(r.updated)}</span></TD>
              <TD class='text-xs'>
                <span class='font-semibold'>{r.skipped.length}</span>
                <For each={r.skipped}>{(s) => <span class='block text-neutral-500'>{s.name}: {s.reason}</span>}</For>
              </TD>
              <TD class='text-xs text-red-700'>
                <For each={r.errors}>
                  {(e) => (
                    <div>
                      <span class='font-mono'>{e.name}</span>: {e.message}
                      <Show when={(e.details?.length ?? 0) > 0}>
                        <ul class='list-disc pl-4'><For each={e.details}>{(d) => <li><Show when={d.field}><span class='font-mono'>{d.field}</span>: </Show>{d.message}</li>}</For></ul>
                      </Show>
                    </div>
                  )}
                </For>
              </TD>
            </tr>
          )}
        </For>
        <For each={samples()}>
          {([entity, s]) => (
            <tr>
              <TD class='font-mono'>sample_data.{entity}</TD>
              <TD class='text-xs font-semibold'>{s.created}</TD>
              <TD class='text-xs'>—</TD>
              <TD class='text-xs font-semibold'>{s.skipped}</TD>
              <TD class='text-xs text-red-700'><For each={s.errors}>{(e) => <div>{e.index !== undefined ? `#${e.index}: ` : ''}{e.message}</div>}</For></TD>
            </tr>
          )}
        </For>
      </Table>
    </div>
  )
}
