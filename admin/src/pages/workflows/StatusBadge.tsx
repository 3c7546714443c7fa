import type { JSX } from 'solid-js'
import type { InstanceStatus } from '../../api/logic.js'
import { Badge } from '../../components/ui.js'

const TONES: Record<InstanceStatus, 'neutral' | 'green' | 'amber' | 'blue'> = {
  running: 'blue', waiting_approval: 'amber', waiting: 'amber', completed: 'green', failed: 'neutral', cancelled: 'neutral'
}

export function StatusBadge (props: { status: InstanceStatus }): JSX.Element {
  return <Badge tone={TONES[props.status]}>{props.status === 'failed' ? '✕ failed' : props.status}</Badge>
}
