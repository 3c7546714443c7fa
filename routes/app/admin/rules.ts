import { createRule, deleteRule, getRule, listRules, updateRule } from '../../../lib/rules/admin.js'
import { RULE_BODIES, RULE_ITEM } from '../../../lib/rules/schemas.js'
import { metadataCrudRoutes } from './metadata-crud.js'

/** Validation rules and computed fields (`/_admin/rules`, `?entity`); every change recompiles the app's registry. */
export default metadataCrudRoutes({
  list: async (app, { entity }) => await listRules(app, entity),
  get: getRule,
  create: createRule,
  update: updateRule,
  remove: deleteRule
}, 'id', { one: 'rule', kind: 'rules', item: RULE_ITEM, ...RULE_BODIES })
