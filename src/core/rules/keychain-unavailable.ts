import { actionRefs } from '../action-refs.js';
import { evidenceFromSetting } from '../evidence.js';
import { findingOf } from '../finding-state.js';
import { defineRule } from '../findings.js';

export const keychainUnavailable = defineRule({
  id: 'keychain-unavailable',
  severity: 'critical',
  start: () => null,
  finish(_state, ctx) {
    const store = ctx.store;
    // The shared database is its own failure (store-unavailable): it holds the connections too.
    if (store.available || store.backend === 'postgres') return [];
    const affected = ctx.connections.length === 1 ? '1 connection' : `${ctx.connections.length} connections`;
    return [
      findingOf({
        id: 'keychain-unavailable',
        severity: 'critical',
        conn: null,
        summary: `The token store (${store.backend}) cannot be read, so ${affected} cannot hand out tokens: ${store.problem ?? 'no reason given'}`,
        evidence: [evidenceFromSetting('token store', ctx.now.toISOString(), `backend=${store.backend} reason=${store.reason}${store.problem ? ` problem=${store.problem}` : ''}`)],
        actions: store.backend === 'keychain' ? actionRefs('use-file-store') : [],
      }),
    ];
  },
});
