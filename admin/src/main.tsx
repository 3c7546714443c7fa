import { render } from 'solid-js/web'
import { App } from './App.js'
import './index.css'

render(() => <App />, document.getElementById('root') as HTMLElement)
