import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { wrongAccount } from '../../../src/core/rules/wrong-account.js';
import { at, check, conn, expectFindings, expecting, minute, type RuleCase } from '../../support/facts.js';

// The identity seen at login or by a probe is not the account the connection must be.

const wrong = expecting('wrong-account', 'error');
const gh = conn({ name: 'gh', provider: 'github', account: 'bot' });
const probe = (offset: number, identity: string, more: Record<string, unknown> = {}) => ({ ts: at(offset), event: 'probe', conn: 'gh', check: 'identity', outcome: 'ok', identity, ...more });
const login = (offset: number, identity: string, outcome = 'ok') => ({ ts: at(offset), event: 'login', conn: 'gh', method: 'browser', outcome, identity });

const table: RuleCase[] = [
  { name: 'probe answers as someone else', input: { connections: [gh], events: [probe(-minute, 'alice')] }, expected: [wrong('gh', 'active', [1], 'gh: must be bot, but the identity check at 08:59:00 UTC answered as alice')] },
  { name: 'the right account (any case) → quiet', input: { connections: [gh], events: [probe(-minute, 'BOT')] }, expected: [] },
  { name: 'a later login as the right account settles it', input: { connections: [gh], events: [probe(-9 * minute, 'alice'), login(-minute, 'bot')] }, expected: [wrong('gh', 'resolved', [1, 2], /; resolved at 08:59:00 UTC: logged in as bot by pid 100 on h1$/)] },
  { name: 'a later probe as the right account settles it too', input: { connections: [gh], events: [login(-9 * minute, 'alice'), probe(-minute, 'bot')] }, expected: [wrong('gh', 'resolved', [1, 2], /^gh: must be bot, but logged in as alice at 08:51:00 UTC; resolved at 08:59:00 UTC: probe identity ok/)] },
  { name: 'no account configured → nothing to compare', input: { connections: [conn({ name: 'gh', provider: 'github' })], events: [probe(-minute, 'alice')] }, expected: [] },
  { name: 'a refused login as someone else', input: { connections: [gh], events: [login(-minute, 'alice', 'refused')] }, expected: [wrong('gh', 'active', [1], 'gh: must be bot, but a login as alice was refused at 08:59:00 UTC')] },
  { name: 'right first, wrong later → active, the wrong one cited', input: { connections: [gh], events: [login(-9 * minute, 'bot'), probe(-minute, 'alice')] }, expected: [wrong('gh', 'active', [2])] },
  { name: 'wrong, right, wrong again → active, the latest wrong one cited', input: { connections: [gh], events: [probe(-9 * minute, 'alice'), login(-5 * minute, 'bot'), probe(-minute, 'carol')] }, expected: [wrong('gh', 'active', [3], /answered as carol$/)] },
  { name: 'a sighting without an identity says nothing', input: { connections: [gh], events: [{ ts: at(-minute), event: 'probe', conn: 'gh', check: 'identity', outcome: 'error', status: 401 }] }, expected: [] },
  { name: 'sightings of a connection not in state.json are ignored', input: { connections: [gh], events: [{ ...probe(-minute, 'alice'), conn: 'ghost' }] }, expected: [] },
  { name: 'each connection against its own account', input: { connections: [gh, conn({ name: 'other', provider: 'github', account: 'alice' })], events: [probe(-2 * minute, 'alice'), { ...probe(-minute, 'alice'), conn: 'other' }] }, expected: [wrong('gh', 'active', [1])] },
  {
    name: 'hostile values (escape sequences, a 100,000-character identity) → still the finding, printable evidence',
    input: { connections: [gh], events: [probe(-minute, `\u001b[2J\u001b]0;pwned\u0007${'a'.repeat(100_000)}`, { host: '\u009b'.repeat(50_000), pid: Number.MAX_SAFE_INTEGER })] },
    expected: [wrong('gh', 'active', [1])],
  },
];

describe('wrong-account', () => {
  for (const { name, input, expected } of table) it(name, () => void expectFindings(wrongAccount, input, expected));

  it('asks for a login as the right account while active, nothing once resolved', () => {
    assert.deepEqual(check(wrongAccount, { connections: [gh], events: [probe(-minute, 'alice')] })[0]!.actions.map((a) => a.action), ['relogin']);
    assert.deepEqual(check(wrongAccount, { connections: [gh], events: [probe(-9 * minute, 'alice'), login(-minute, 'bot')] })[0]!.actions, []);
  });
});
