import { actionRefs } from '../action-refs.js';
import { evidenceFromSetting } from '../evidence.js';
import type { Rule } from '../findings.js';

export const tokenStoreDamaged: Rule = {
  id: 'token-store-damaged',
  severity: 'error',
  check(facts) {
    const damaged = new Set(facts.store.available ? (facts.store.damaged ?? []) : []);
    return facts.connections
      .filter((conn) => damaged.has(conn.name))
      .map((conn) => ({
        id: this.id,
        severity: this.severity,
        conn: conn.name,
        summary: `${conn.name}: its entry in the token store (${facts.store.backend}) is damaged, so it cannot hand out tokens until it is logged in again`,
        evidence: [evidenceFromSetting('token store', facts.now.toISOString(), `backend=${facts.store.backend} entry=${conn.name} does not open or parse as a token bundle`)],
        actions: actionRefs('relogin'),
      }));
  },
};
