import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { readEvents } from '../support/home-files.js';
import { startHostileProvider, type HostileProvider } from '../support/hostile-provider.js';
import { runBroker, type BrokerRun } from '../support/run-broker.js';
import { tempHome } from '../support/temp-home.js';
import { Terminal } from '../support/tmux-terminal.js';

// Issue 11 "must show": a canary sweep. A hostile provider echoes every credential it receives or
// issued (whole, cut short, base64, URL-encoded, the raw Authorization header) in its error bodies,
// reason phrases and headers. Every command that talks to it or shows what it said runs, with
// --json and piped, on both token-store backends; then stdout, stderr, every file in the home and
// the TUI's frames are searched for every run of 8 characters of every secret and its encodings.

// The contract (issue 11): no secret, and no piece of one of 8 characters or more, anywhere.
const minScrubbedRun = 8;
const account = 'alice@example.test';
const clientId = 'public-client-id';
const secrets = {
  clientSecret: 'fake-CS1-9vX2mKp7LwR4zT',
  keychainSecret: 'fake-CS2-Hq83nVb1xZc5',
  passphrase: 'fake-PPH-Jr6tYw0eQs2u',
  at1: 'fake-AT1-b7Nm3Kx9Lp2Q',
  rt1: 'fake-RT1-w4Ez8Rt6Yu1I',
  at2: 'fake-AT2-c5Vb7Nm1Qw3E',
  rt2: 'fake-RT2-x9Zs4Dc6Fv8G',
  at3: 'fake-AT3-h2Jk5Lm8Nb0V',
  rt3: 'fake-RT3-q1We3Rt5Yu7I',
  at4: 'fake-AT4-o9Pa2Sd4Fg6H',
  at5: 'fake-AT5-j8Kl1Zx3Cv5B',
  rt5: 'fake-RT5-n7Mq2Wr4Ty6U',
  at6: 'fake-AT6-i0Op9As8Df7G',
  rt6: 'fake-RT6-h6Jk5Ll4Zx3C',
};
const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048, privateKeyEncoding: { type: 'pkcs1', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } });
const past = () => Math.floor(Date.now() / 1000) - 60;

let hostile: HostileProvider;
before(async () => {
  hostile = await startHostileProvider({ identity: account });
  for (const pair of [[secrets.at1, secrets.rt1], [secrets.at2, secrets.rt2], [secrets.at3, secrets.rt3], [secrets.at4], [secrets.at6, secrets.rt6]]) hostile.issued(...pair);
});
after(() => hostile.close());

/** Every window of minScrubbedRun characters of a secret and of its encodings: none may appear anywhere. */
function canaryWindows(): Map<string, string> {
  const windows = new Map<string, string>();
  const keyLines = privateKey.split('\n').filter((l) => l !== '' && !l.startsWith('-----'));
  const values: Array<[string, string]> = [...Object.entries(secrets), ...keyLines.map((l, i): [string, string] => [`private key line ${i + 1}`, l]), ...hostile.received().map((c, i): [string, string] => [`credential ${i + 1} the provider received`, c])];
  for (const [name, value] of values) {
    const forms = new Set([value, Buffer.from(value).toString('base64'), Buffer.from(value).toString('base64url'), encodeURIComponent(value)]);
    for (const form of forms) for (let i = 0; i + minScrubbedRun <= form.length; i++) windows.set(form.slice(i, i + minScrubbedRun), name);
  }
  return windows;
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

function hitsIn(texts: Array<{ where: string; text: string }>): string[] {
  const windows = canaryWindows();
  const hits: string[] = [];
  for (const { where, text } of texts) {
    for (const [window, name] of windows) if (text.includes(window)) hits.push(`${where}: "${window}" (${name})`);
  }
  return hits;
}

async function sweep(backend: 'keychain' | 'file'): Promise<{ home: string; runs: Array<{ args: string[]; run: BrokerRun }> }> {
  const home = tempHome(`broker-canary-${backend}-`);
  // Outside the home: the sweep reads every file in the home, and the key file is the secret itself.
  const keyFile = join(tempHome('broker-canary-key-'), 'app-key.pem');
  writeFileSync(keyFile, privateKey, { mode: 0o600 });
  // BROKER_PASSPHRASE is set for both backends: it is in the environment a /proc/self/environ source would send.
  const env = { BROKER_HOME: home, CANARY_CLIENT_SECRET: secrets.clientSecret, BROKER_PASSPHRASE: secrets.passphrase, ...(backend === 'file' ? { BROKER_STORE: 'file' } : {}) };
  const runs: Array<{ args: string[]; run: BrokerRun }> = [];
  const broker = async (args: string[], input = '', expect?: number[]) => {
    const run = await runBroker(args, { env, input });
    runs.push({ args, run });
    if (expect) assert.ok(expect.includes(run.code ?? -1), `broker ${args.join(' ')} exited ${run.code}:\n${run.stderr}`);
    return run;
  };
  const oidc = ['--provider', 'oidc', '--issuer', hostile.url, '--client-id', clientId, '--account', account];
  const bundle = (at: string, rt?: string, expired = true) => JSON.stringify({ access_token: at, ...(rt ? { refresh_token: rt } : {}), ...(expired ? { expires_at: past() } : {}) });

  await broker(['connect', 'c1', ...oidc, '--client-secret-from', 'env:CANARY_CLIENT_SECRET', '--token-stdin'], bundle(secrets.at1, secrets.rt1), [0]);
  await broker(['connect', 'c2', ...oidc, '--client-secret-stdin'], `${secrets.keychainSecret}\n`, [0]);
  await broker(['login', 'c2', '--paste'], bundle(secrets.at2, secrets.rt2), [0]);
  await broker(['connect', 'c3', ...oidc, '--client-secret-from', 'env:CANARY_CLIENT_SECRET', '--api-base-url', `${hostile.url}/api`, '--token-stdin'], bundle(secrets.at3, secrets.rt3, false), [0]);
  await broker(['connect', 'c4', '--provider', 'github-app', '--app-id', '1', '--installation', '7', '--installation-account', 'canary-org', '--private-key-file', keyFile, '--api-base-url', hostile.url, '--token-stdin'], bundle(secrets.at4), [0]);
  await broker(['connect', 'c5', ...oidc, '--client-secret-from', 'file:/proc/self/environ', '--token-stdin'], bundle(secrets.at5, secrets.rt5), [0]);
  await broker(['connect', 'c6', '--provider', 'github', '--issuer', hostile.url, '--client-id', clientId, '--client-secret-from', 'env:CANARY_CLIENT_SECRET', '--token-stdin'], bundle(secrets.at6, secrets.rt6), [0]);

  for (const name of ['c1', 'c2', 'c5', 'c6']) {
    await broker(['refresh', name], '', [1, 3]);
    await broker(['refresh', name, '--json'], '', [1, 3]);
  }
  for (const name of ['c1', 'c2', 'c4', 'c6']) await broker(['token', name], '', [1, 3]);
  // Before the 401s below: their refresh is refused, and a connection known dead hands out no token (exit 3).
  // A 403 is printed as the API answered it (body on stdout, headers with --json): scrubbed too.
  const printed = await broker(['api', 'c3', '/forbidden'], '', [1]);
  assert.match(printed.stdout, /Bad credentials: \[redacted access_token\]/);
  await broker(['api', 'c3', '/forbidden', '--json'], '', [1]);
  await broker(['api', 'c3', '/user'], '', [1, 3]);
  await broker(['api', 'c3', '/user', '--json'], '', [1, 3]);
  await broker(['api', 'c3', '/repos/canary-org/app/issues', '-X', 'POST', '-d', '{"title":"t"}'], '', [1, 3]);
  await broker(['keepalive', '--idle-over', '1m'], '', [0, 1, 3]);
  await broker(['keepalive', '--idle-over', '1m', '--json'], '', [0, 1, 3]);
  const doctorJson = await broker(['doctor', '--json', '--since', 'all'], '', [0, 1]);
  // Every fix the doctor offers that talks to the provider (refresh, keepalive, reload-secret), run as a script would.
  const findings = (JSON.parse(doctorJson.stdout) as { findings: Array<{ id: string; conn?: string; actions: Array<{ key: string; action: string }> }> }).findings;
  for (const finding of findings) {
    for (const action of finding.actions.filter((a) => ['refresh', 'keepalive', 'reload-secret'].includes(a.action))) {
      await broker(['doctor', '--fix', finding.id, ...(finding.conn ? ['--conn', finding.conn] : []), '--action', action.key, '--yes'], '', [0, 1, 2, 3]);
    }
  }
  for (const args of [['status'], ['status', '--json'], ['doctor'], ['doctor', '--json'], ['doctor', '--since', 'all'], ['log'], ['log', '--json'], ['log', '--since', 'all'], ['log', '--since', 'all', '--json']]) {
    await broker(args, '', [0, 1]);
  }
  return { home, runs };
}

/** The TUI as a person sees it: the status grid, a connection's detail, the doctor's findings and a finding's evidence. */
async function tuiFrames(home: string): Promise<Array<{ where: string; text: string }>> {
  const frames: Array<{ where: string; text: string }> = [];
  const status = new Terminal(home);
  try {
    status.start(['status']);
    frames.push({ where: 'status grid', text: await status.waitForScreen((s) => s.includes('c6') && s.includes('q quit'), 'the status grid') });
    status.tmux('send-keys', 'Enter');
    frames.push({ where: 'status detail', text: await status.waitForScreen((s) => s.includes('Findings'), 'the connection detail') });
    status.tmux('send-keys', 'q');
    await status.waitForExit();
  } finally {
    status.kill();
  }
  const doctor = new Terminal(home);
  try {
    doctor.start(['doctor', '--since', 'all']);
    frames.push({ where: 'doctor findings', text: await doctor.waitForScreen((s) => /CRITICAL|ERROR/.test(s) && s.includes('q quit'), 'the doctor findings') });
    doctor.tmux('send-keys', 'Enter');
    frames.push({ where: 'doctor finding detail', text: await doctor.waitForScreen((s) => /Evidence|What happened/i.test(s), 'the finding detail') });
    doctor.tmux('send-keys', 'q');
  } finally {
    doctor.kill();
  }
  return frames;
}

describe('canary sweep: a provider that echoes every credential it gets', () => {
  for (const backend of ['keychain', 'file'] as const) {
    it(`${backend} store: no run of 8 characters of any secret in stdout, stderr, --json, the home or the log`, async () => {
      const { home, runs } = await sweep(backend);

      // The sweep reached every hostile path, so 0 hits below means scrubbed, not never said.
      const hits = hostile.hits();
      for (const path of ['/token', '/login/oauth/access_token', '/app/installations/7/access_tokens', '/api/user', '/api/repos/canary-org/app/issues', '/api/forbidden']) assert.ok((hits[path] ?? 0) > 0, `nothing reached ${path}: ${JSON.stringify(hits)}`);
      const received = hostile.received();
      for (const sent of [secrets.clientSecret, secrets.keychainSecret, secrets.rt1, secrets.rt2, secrets.at3]) assert.ok(received.includes(sent), 'the provider was sent the credential it then echoed');
      assert.ok(!received.some((c) => c.includes(secrets.passphrase) || c.includes('CANARY_CLIENT_SECRET')), 'file:/proc/self/environ was sent to the provider');
      const events = readEvents(home);
      assert.ok(events.some((e) => e.event === 'refresh' && /\[redacted (client_secret|refresh_token)\]/.test(String(e.error_description))), 'the provider words are in the log, scrubbed');
      assert.ok(events.some((e) => e.event === 'request' && /\[redacted access_token\]/.test(String(e.error_description))), 'the API words are in the log, scrubbed');
      assert.ok(events.some((e) => e.event === 'refresh' && e.conn === 'c4' && /\[redacted credential\]/.test(String(e.error))), 'GitHub\'s words about the JWT, scrubbed');

      const texts = [
        ...runs.flatMap(({ args, run }) => [
          { where: `stdout of broker ${args.join(' ')}`, text: run.stdout },
          { where: `stderr of broker ${args.join(' ')}`, text: run.stderr },
        ]),
        ...filesUnder(home).map((path) => ({ where: path, text: readFileSync(path, 'latin1') })),
      ];
      if (backend === 'keychain') texts.push(...(await tuiFrames(home)));
      assert.deepEqual(hitsIn(texts), []);
    });
  }
});
