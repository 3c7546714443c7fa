import { createMachine, deleteMachine, getMachine, listMachines, updateMachine } from '../../../lib/state-machines/admin.js'
import { MACHINE_BODIES, MACHINE_ITEM } from '../../../lib/state-machines/schemas.js'
import { metadataCrudRoutes } from './metadata-crud.js'

/** State machines (`/_admin/state-machines`, `?entity`); every change recompiles the app's registry. */
export default metadataCrudRoutes({
  list: async (app, { entity }) => await listMachines(app, entity),
  get: getMachine,
  create: createMachine,
  update: updateMachine,
  remove: deleteMachine
}, 'id', { one: 'state machine', kind: 'state-machines', item: MACHINE_ITEM, ...MACHINE_BODIES })
