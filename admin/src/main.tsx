import { render } from 'solid-js/web'
import './index.css'

render(() => <p class="p-4 text-sm">Rocket admin</p>, document.getElementById('root') as HTMLElement)
