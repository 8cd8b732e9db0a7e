import { evidenceFromSetting } from '../evidence.js';
import { findingOf } from '../finding-state.js';
import { defineRule } from '../findings.js';

// The shared PostgreSQL store (§14) cannot be used: unreachable, too slow, refusing the broker's
// login, or on a schema this broker does not know. Connections, bundles and the shared log all live
// there, so nothing else can be diagnosed until it answers: this is the one finding.
export const storeUnavailable = defineRule({
  id: 'store-unavailable',
  severity: 'critical',
  start: () => null,
  finish(_state, ctx) {
    const store = ctx.store;
    if (store.available || store.backend !== 'postgres') return [];
    return [
      findingOf({
        id: 'store-unavailable',
        severity: 'critical',
        conn: null,
        summary: `The shared store cannot be used, so no connection, token or shared log can be read from any host: ${store.problem ?? 'no reason given'}`,
        evidence: [evidenceFromSetting('token store', ctx.now.toISOString(), `backend=postgres reason=${store.reason}${store.problem ? ` problem=${store.problem}` : ''}`)],
        actions: [],
      }),
    ];
  },
});
