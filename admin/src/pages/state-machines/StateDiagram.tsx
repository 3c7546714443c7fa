import { createMemo, createUniqueId, For, Show, type JSX } from 'solid-js'
import type { TransitionDef } from '../../api/logic.js'
import { layoutMachine, NODE_H, NODE_W } from './diagram-layout.js'

/**
 * The machine drawn as inline SVG: states as boxes in columns by distance from the initial
 * state (marked with a dot and an entry arrow), transitions as labelled arrows. Presentation
 * goes through SVG attributes and Tailwind classes only (the admin's CSP allows no inline style).
 */
export function StateDiagram (props: { initial: string, transitions: TransitionDef[] }): JSX.Element {
  const layout = createMemo(() => layoutMachine(props.initial, props.transitions))
  const arrow = `arrow-${createUniqueId()}`
  return (
    <Show when={layout().nodes.length > 0} fallback={<p class='p-4 text-sm text-neutral-500'>Name an initial state and add transitions to see the diagram.</p>}>
      <div class='overflow-x-auto p-2'>
        <svg
          data-testid='state-diagram'
          role='img'
          aria-label='State machine diagram'
          viewBox={`0 0 ${layout().width} ${layout().height}`}
          width={layout().width}
          height={layout().height}
          class='max-w-full text-neutral-700'
        >
          <defs>
            <marker id={arrow} viewBox='0 0 10 10' refX='9' refY='5' markerWidth='7' markerHeight='7' orient='auto-start-reverse'>
              <path d='M 0 0 L 10 5 L 0 10 z' fill='#404040' />
            </marker>
          </defs>
          <For each={layout().edges}>
            {(e) => (
              <g data-testid='diagram-edge' data-from={e.from} data-to={e.to}>
                <path d={e.path} fill='none' stroke='#737373' stroke-width='1.5' marker-end={`url(#${arrow})`} />
                <rect x={e.labelAt.x - e.label.length * 3.2 - 4} y={e.labelAt.y - 9} width={e.label.length * 6.4 + 8} height='16' rx='3' fill='#ffffff' fill-opacity='0.9' />
                <text x={e.labelAt.x} y={e.labelAt.y + 3.5} text-anchor='middle' font-size='11' fill='#525252' font-family='ui-monospace, monospace'>{e.label}</text>
              </g>
            )}
          </For>
          <For each={layout().nodes}>
            {(n) => (
              <g data-testid='diagram-state' data-state={n.name}>
                <Show when={n.initial}>
                  <circle cx={n.x - NODE_W / 2 - 26} cy={n.y} r='6' fill='#171717' />
                  <line x1={n.x - NODE_W / 2 - 20} y1={n.y} x2={n.x - NODE_W / 2 - 3} y2={n.y} stroke='#171717' stroke-width='1.5' marker-end={`url(#${arrow})`} />
                </Show>
                <rect
                  x={n.x - NODE_W / 2} y={n.y - NODE_H / 2} width={NODE_W} height={NODE_H} rx='8'
                  fill={n.initial ? '#f0f9ff' : '#ffffff'} stroke={n.initial ? '#0369a1' : '#a3a3a3'} stroke-width={n.initial ? 2 : 1.25}
                />
                <text x={n.x} y={n.y + 4.5} text-anchor='middle' font-size='13' font-weight='600' fill='#171717' font-family='ui-sans-serif, system-ui, sans-serif'>{n.name}</text>
              </g>
            )}
          </For>
        </svg>
      </div>
    </Show>
  )
}
