import type { JSX } from 'solid-js'
import type { LogStatus } from '../../api/ops-types.js'
import { Badge } from '../../components/ui.js'

const TONES: Record<LogStatus, 'neutral' | 'green' | 'amber' | 'blue'> = { pending: 'blue', retrying: 'amber', delivered: 'green', failed: 'neutral' }

export function StatusBadge (props: { status: LogStatus }): JSX.Element {
  return <span class={props.status === 'failed' ? '[&>span]:!bg-red-50 [&>span]:!text-red-700' : ''}><Badge tone={TONES[props.status]}>{props.status}</Badge></span>
}
