import type { JSX } from 'solid-js'
import type { InstanceStatus, WaitingFor } from '../../api/logic.js'
import { Badge } from '../../components/ui.js'

const TONES: Record<InstanceStatus, 'neutral' | 'green' | 'amber' | 'blue'> = {
  running: 'blue', completed: 'green', failed: 'neutral', cancelled: 'neutral'
}

const PAUSED: Record<WaitingFor, string> = { approval: 'awaiting approval', wait: 'waiting' }

/** A running instance paused at an approval or a wait shows what it waits for (amber). */
export function StatusBadge (props: { status: InstanceStatus, waitingFor?: WaitingFor | null }): JSX.Element {
  const paused = (): WaitingFor | null => props.status === 'running' ? props.waitingFor ?? null : null
  const label = (): string => {
    const p = paused()
    return p !== null ? `running · ${PAUSED[p]}` : props.status === 'failed' ? '✕ failed' : props.status
  }
  return <Badge tone={paused() !== null ? 'amber' : TONES[props.status]}>{label()}</Badge>
}
