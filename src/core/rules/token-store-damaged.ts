import { actionRefs } from '../action-refs.js';
import { evidenceFromSetting } from '../evidence.js';
import { findingOf } from '../finding-state.js';
import { defineRule } from '../findings.js';

export const tokenStoreDamaged = defineRule({
  id: 'token-store-damaged',
  severity: 'error',
  start: () => null,
  finish(_state, ctx) {
    const damaged = new Set(ctx.store.available ? (ctx.store.damaged ?? []) : []);
    return ctx.connections
      .filter((conn) => damaged.has(conn.name))
      .map((conn) =>
        findingOf({
          id: 'token-store-damaged',
          severity: 'error',
          conn: conn.name,
          summary: `${conn.name}: its entry in the token store (${ctx.store.backend}) is damaged, so it cannot hand out tokens until it is logged in again`,
          evidence: [evidenceFromSetting('token store', ctx.now.toISOString(), `backend=${ctx.store.backend} entry=${conn.name} does not open or parse as a token bundle`)],
          actions: actionRefs('relogin'),
        }),
      );
  },
});
