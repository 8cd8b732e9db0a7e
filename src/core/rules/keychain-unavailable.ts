import { actionRefs } from '../action-refs.js';
import { evidenceFromSetting } from '../evidence.js';
import type { Rule } from '../findings.js';

export const keychainUnavailable: Rule = {
  id: 'keychain-unavailable',
  severity: 'critical',
  check(facts) {
    const store = facts.store;
    if (store.available) return [];
    const affected = facts.connections.length === 1 ? '1 connection' : `${facts.connections.length} connections`;
    return [
      {
        id: this.id,
        severity: this.severity,
        conn: null,
        summary: `The token store (${store.backend}) cannot be read, so ${affected} cannot hand out tokens: ${store.problem ?? 'no reason given'}`,
        evidence: [evidenceFromSetting('token store', facts.now.toISOString(), `backend=${store.backend} reason=${store.reason}${store.problem ? ` problem=${store.problem}` : ''}`)],
        actions: store.backend === 'keychain' ? actionRefs('use-file-store') : [],
      },
    ];
  },
};
