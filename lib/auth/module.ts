import type { EngineModule } from '../engine/modules.js'
import { BLOCKLIST } from './blocklist.js'
import { TOKEN_VERSIONS } from './token-versions.js'

/**
 * Loads each app's blocklist of inactive users and its token versions when the app opens;
 * from then on changes arrive by NOTIFY (`rocket_blocklist`, `rocket_tokens`), not by metadata
 * reloads, which therefore do not read `_users` again.
 */
export function usersModule (): EngineModule {
  return {
    name: 'users',
    load: async (app) => { await Promise.all([BLOCKLIST.prime(app), TOKEN_VERSIONS.prime(app)]) }
  }
}
