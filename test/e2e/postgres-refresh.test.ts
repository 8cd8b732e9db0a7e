import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { mintTokens, startOidcProvider, type RunningOidcProvider } from '../../fixtures/providers/oidc-provider-server.js';
import { homePaths } from '../../src/adapters/home.js';
import { fingerprint } from '../../src/core/fingerprint.js';
import { mulberry32 } from '../support/crash-harness.js';
import { makeHost, type Host } from '../support/hosts.js';
import { userinfoStatus } from '../support/oidc-connection.js';
import { brokerStoreEnv, startPostgresCluster, type BrokerDatabase, type PostgresCluster } from '../support/postgres-cluster.js';

// Refreshes across hosts on the shared store when things go wrong (issue 9 "must show"): the
// refreshing process killed at random moments, its database connection cut while the provider
// answers, and the database itself gone at that moment. Against the real oidc-provider.

const secretEnv = 'PG_REFRESH_TEST_CLIENT_SECRET';
const kills = 20;

let cluster: PostgresCluster;
let rotating: RunningOidcProvider;
let reusable: RunningOidcProvider;
before(async () => {
  [cluster, rotating, reusable] = await Promise.all([startPostgresCluster(), startOidcProvider({ accessTokenTtl: 60 }), startOidcProvider({ accessTokenTtl: 60, rotateRefreshToken: false })]);
});
after(async () => {
  await Promise.all([rotating?.close(), reusable?.close()]);
  cluster?.destroy();
});

interface Site {
  db: BrokerDatabase;
  host(name: string): Host;
}

async function site(op: RunningOidcProvider): Promise<Site> {
  const db = await cluster.createDatabase();
  const env = { ...brokerStoreEnv(db), [secretEnv]: op.clientSecret(), BROKER_DATABASE_TIMEOUT_MS: '2000' };
  const hosts = new Map<string, Host>();
  return { db, host: (name) => hosts.get(name) ?? (hosts.set(name, makeHost(name, env)), hosts.get(name)!) };
}

/** An oidc connection made on `host`, its access token already expired (a refresh is due). */
async function connect(op: RunningOidcProvider, host: Host, name: string): Promise<{ access_token: string; refresh_token: string }> {
  const minted = await mintTokens(op.issuer, { clientId: op.clientId, clientSecret: op.clientSecret() }, 'alice@example.test');
  const input = JSON.stringify({ ...minted, expires_in: undefined, expires_at: new Date(Date.now() - 5_000).toISOString() });
  const r = await host.run(['connect', name, '--provider', 'oidc', '--issuer', op.issuer, '--client-id', op.clientId, '--client-secret-from', `env:${secretEnv}`, '--account', 'alice@example.test', '--token-stdin'], { input });
  assert.equal(r.code, 0, r.stderr);
  return minted;
}

async function row(db: BrokerDatabase, name: string): Promise<{ generation: number; accessTokenFp: string }> {
  const r = await cluster.admin<{ generation: number; fp: string }>(db.name, "SELECT generation, doc->>'accessTokenFp' AS fp FROM broker.connections WHERE name = $1", [name]);
  return { generation: r.rows[0]!.generation, accessTokenFp: r.rows[0]!.fp };
}

async function refreshEvents(db: BrokerDatabase, name: string): Promise<Array<Record<string, unknown>>> {
  return (await cluster.admin<{ doc: Record<string, unknown> }>(db.name, "SELECT doc FROM broker.events WHERE conn = $1 AND event = 'refresh' ORDER BY ts, id", [name])).rows.map((r) => r.doc);
}

/** Every change of a connection's row, as the database saw it: a trigger the test adds beside the broker's schema. */
async function recordGenerations(db: BrokerDatabase): Promise<void> {
  await cluster.admin(
    db.name,
    `CREATE TABLE public.generation_history (conn text, old_gen int, new_gen int, old_fp text, new_fp text, at timestamptz DEFAULT clock_timestamp());
     CREATE FUNCTION public.record_generation() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER AS $$
       BEGIN INSERT INTO public.generation_history (conn, old_gen, new_gen, old_fp, new_fp) VALUES (NEW.name, OLD.generation, NEW.generation, OLD.doc->>'accessTokenFp', NEW.doc->>'accessTokenFp'); RETURN NEW; END $$;
     CREATE TRIGGER record_generation AFTER UPDATE ON broker.connections FOR EACH ROW EXECUTE FUNCTION public.record_generation()`,
  );
}

async function terminateBackendOf(db: BrokerDatabase, pid: number): Promise<number> {
  return (await cluster.admin(db.name, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND application_name = 'broker ' || $2", [db.name, String(pid)])).rowCount ?? 0;
}

function exited(child: ReturnType<Host['spawn']>): Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
  child.stdin!.end();
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

describe('SIGKILL of the refreshing process on the shared store', () => {
  it(`${kills} kills at random moments: the lock dies with its holder, the next refresh on another host proceeds, the generation never goes down, the connection works unless the provider revoked it`, async (t) => {
    const seed = Math.floor(Math.random() * 2 ** 31);
    const random = mulberry32(seed);
    const { db, host } = await site(rotating);
    const [h1, h2, h3] = [host('h1'), host('h2'), host('h3')];
    const names = Array.from({ length: kills }, (_, i) => `c${i}`);
    for (const name of ['cal0', 'cal1', 'cal2']) await connect(rotating, h1, name);
    await recordGenerations(db);
    const walls: number[] = [];
    for (const name of ['cal0', 'cal1', 'cal2']) {
      const started = performance.now();
      const r = await h1.run(['refresh', name]);
      assert.equal(r.code, 0, r.stderr);
      walls.push(performance.now() - started);
    }
    const killRangeMs = walls.sort((a, b) => a - b)[1]!;
    // How long a refresh holds the lock: its refresh event's duration, from the lock to the store.
    const heldMs = (await Promise.all(['cal0', 'cal1', 'cal2'].map(async (n) => Number((await refreshEvents(db, n)).at(-1)!.duration_ms)))).sort((a, b) => a - b)[1]!;
    const { default: pg } = await import('pg');
    const watcher = new pg.Client({ host: cluster.host, port: cluster.port, user: cluster.adminUser, password: cluster.adminPassword, database: db.name });
    await watcher.connect();
    t.after(() => watcher.end());
    const holdsLock = async (pid: number): Promise<boolean> =>
      ((await watcher.query("SELECT 1 FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid WHERE l.locktype = 'advisory' AND l.granted AND a.application_name = 'broker ' || $1", [String(pid)])).rowCount ?? 0) > 0;

    let killedMidway = 0;
    let killedHoldingLock = 0;
    let killedAtProvider = 0;
    const dead: string[] = [];
    const nextLockWaits: number[] = [];
    for (const name of names) {
      await connect(rotating, h1, name);
      const asked = rotating.stats().tokenRequests;
      const child = h1.spawn(['refresh', name]);
      const done = exited(child);
      let finished = false;
      void done.then(() => (finished = true));
      let timer: NodeJS.Timeout;
      let sawLock = false;
      if (names.indexOf(name) % 2 === 0) {
        // Anywhere in the run: start-up, reading the store, waiting for or holding the lock, storing, exiting.
        timer = setTimeout(() => child.kill('SIGKILL'), random() * killRangeMs);
      } else {
        // While it holds the lock: from the moment the database shows it granted, at a random point of a refresh's hold.
        while (!finished && !(sawLock = await holdsLock(child.pid!)));
        timer = setTimeout(() => child.kill('SIGKILL'), random() * heldMs);
      }
      const first = await done;
      clearTimeout(timer);
      if (first.signal === 'SIGKILL') {
        killedMidway++;
        // Where it was: the provider saw its refresh (it held the lock, which it takes first) and it stored nothing, or not.
        const reached = rotating.stats().tokenRequests > asked;
        const stored = (await refreshEvents(db, name)).some((e) => e.host === 'h1' && e.outcome === 'ok');
        if (reached && !stored) killedAtProvider++;
        if (sawLock || (reached && !stored)) killedHoldingLock++;
      }

      // At once, from another host: the killed holder's lock is gone with its connection.
      const next = await h2.run(['refresh', name, '--json'], { timeoutMs: 30_000 });
      const events = await refreshEvents(db, name);
      const own = events.filter((e) => e.host === 'h2');
      assert.ok(own.length > 0, `${name}: the next refresh logged nothing: ${next.stderr}`);
      nextLockWaits.push(Number(own.at(-1)!.lock_wait_ms));
      if (next.code === 3) dead.push(name);
      else assert.equal(next.code, 0, `${name}: ${next.stderr}`);

      const handed = await h3.run(['token', name]);
      if (dead.includes(name)) {
        assert.equal(handed.code, 3, `${name}: a revoked connection handed out a token`);
        assert.equal(handed.stdout, '');
      } else {
        assert.equal(handed.code, 0, `${name}: ${handed.stderr}`);
        assert.equal(await userinfoStatus(rotating, handed.stdout.trim()), 200, `${name}: the token does not work`);
        assert.equal(fingerprint(handed.stdout.trim()), (await row(db, name)).accessTokenFp);
      }
    }

    const history = (await cluster.admin<{ conn: string; old_gen: number; new_gen: number; old_fp: string | null; new_fp: string | null }>(db.name, 'SELECT conn, old_gen, new_gen, old_fp, new_fp FROM public.generation_history ORDER BY at')).rows;
    const backwards = history.filter((h) => h.new_gen < h.old_gen);
    assert.deepEqual(backwards, [], 'a generation went down');
    const seen = new Map<string, Set<string>>();
    for (const h of history) {
      const fps = seen.get(h.conn) ?? new Set<string>();
      if (h.old_fp) fps.add(h.old_fp);
      if (h.new_fp && h.new_fp !== h.old_fp) {
        assert.ok(!fps.has(h.new_fp), `${h.conn}: an older bundle (${h.new_fp}) was written back`);
        assert.ok(h.new_gen > h.old_gen, `${h.conn}: new tokens without a new generation`);
      }
      if (h.new_fp) fps.add(h.new_fp);
      seen.set(h.conn, fps);
    }
    const maxWait = Math.max(...nextLockWaits);
    assert.ok(maxWait < 5_000, `the next refresh waited ${maxWait} ms for the lock (12 s would mean it outlived its holder)`);
    t.diagnostic(
      `seed ${seed}: ${kills} kills, ${killedMidway} reached the process mid-run (half anywhere in ${Math.round(killRangeMs)} ms, half within the ${Math.round(heldMs)} ms it holds the lock), ${killedHoldingLock} while it held the lock (${killedAtProvider} of them with its refresh at the provider), ${dead.length} connection(s) revoked by the provider (it rotated a refresh token the killed process never stored), ` +
        `${kills - dead.length} still working; the next refresh waited at most ${maxWait} ms for the lock; ${history.length} row changes, none backwards`,
    );
    assert.ok(killedMidway >= kills / 2, `only ${killedMidway} of ${kills} kills landed mid-run`);
    assert.ok(killedHoldingLock >= kills / 4, `only ${killedHoldingLock} kills landed while the lock was held`);
  });
});

describe('a refresh whose database connection is lost while the provider answers', () => {
  it('stores its bundle through a new connection when nothing newer was stored meanwhile', async () => {
    const { db, host } = await site(rotating);
    const [h1, h2] = [host('h1'), host('h2')];
    await connect(rotating, h1, 'svc');
    const hold = rotating.holdNextTokenRequest('answer');
    const child = h1.spawn(['refresh', 'svc', '--json']);
    const done = exited(child);
    await hold.reached;
    assert.equal(await terminateBackendOf(db, child.pid!), 1, 'the holder\'s backend was found and cut');
    hold.release();
    const r = await done;
    assert.equal(r.code, 0, r.stderr);
    assert.equal((await row(db, 'svc')).generation, 1);
    const events = await refreshEvents(db, 'svc');
    assert.deepEqual(events.map((e) => e.outcome), ['ok']);
    const next = await h2.run(['refresh', 'svc']);
    assert.equal(next.code, 0, `the stored refresh token is the one the provider issued: ${next.stderr}`);
    assert.equal((await row(db, 'svc')).generation, 2);
  });

  it('never writes over a newer bundle: another host refreshed meanwhile, so this one logs unpersisted and the newer bundle stays', async () => {
    const { db, host } = await site(reusable);
    const [h1, h2] = [host('h1'), host('h2')];
    await connect(reusable, h1, 'svc');
    const hold = reusable.holdNextTokenRequest('request');
    const child = h1.spawn(['refresh', 'svc']);
    const done = exited(child);
    await hold.reached;
    // Its lock went with its connection: h2 takes it, refreshes and stores generation 1.
    assert.equal(await terminateBackendOf(db, child.pid!), 1);
    const other = await h2.run(['refresh', 'svc']);
    assert.equal(other.code, 0, other.stderr);
    const newer = await row(db, 'svc');
    assert.equal(newer.generation, 1);
    hold.release();
    const late = await done;
    assert.equal(late.code, 1, late.stderr);
    assert.match(late.stderr, /could not be stored: a newer bundle is stored \(generation 1, this refresh started from 0\); it was kept/);
    assert.deepEqual(await row(db, 'svc'), newer, 'the newer bundle was kept');
    const events = await refreshEvents(db, 'svc');
    assert.deepEqual(events.map((e) => `${e.host} ${e.outcome}`), ['h2 ok', 'h1 unpersisted']);
  });

  it('the database gone as the provider answers: unpersisted is kept on the host, sent later, and the doctor names it as why the next refresh is refused', async () => {
    const { db, host } = await site(rotating);
    const [h1, h2, oncall] = [host('h1'), host('h2'), host('oncall')];
    await connect(rotating, h1, 'svc');
    await recordGenerations(db);
    const hold = rotating.holdNextTokenRequest('answer');
    const child = h1.spawn(['refresh', 'svc']);
    const done = exited(child);
    await hold.reached;
    cluster.stop();
    let restarted = false;
    try {
      hold.release();
      const lost = await done;
      assert.equal(lost.code, 1, lost.stderr);
      assert.match(lost.stderr, /the provider issued new tokens for "svc" but they could not be stored: the database connection was lost and could not be made again/);
      const unsent = homePaths(h1.home).unsentEvents;
      assert.ok(existsSync(unsent), 'the unpersisted event waits in the home');
      assert.match(readFileSync(unsent, 'utf8'), /"outcome":"unpersisted"/);
      cluster.start();
      restarted = true;

      // The store still holds the refresh token the provider rotated away: reuse, the grant revoked.
      const refused = await h2.run(['token', 'svc']);
      assert.equal(refused.code, 3, refused.stderr);
      // Any broker process on h1 that reaches the database sends what waited.
      const status = await h1.run(['status', '--json']);
      assert.equal(JSON.parse(status.stdout).store.available, true, status.stderr);
      assert.ok(!existsSync(unsent), 'the unsent events were sent');

      const doctor = await oncall.run(['doctor', '--json', '--since', '1h']);
      assert.equal(doctor.code, 1, doctor.stderr);
      const findings = (JSON.parse(doctor.stdout) as { findings: Array<{ id: string; summary: string; evidence: Array<{ text: string }> }> }).findings;
      const revoked = findings.find((f) => f.id === 'refresh-token-revoked');
      assert.ok(revoked, findings.map((f) => `${f.id}: ${f.summary}`).join('\n'));
      assert.match(revoked.summary, /^svc: refresh at \S+ UTC by pid \d+ on h2 failed with invalid_grant: the refresh at \S+ UTC by pid \d+ on h1 got new tokens that could not be stored \(refresh unpersisted/);
      assert.ok(revoked.evidence.some((e) => /outcome=unpersisted/.test(e.text) && /host=h1/.test(e.text)));
      assert.ok(!findings.some((f) => f.id === 'refresh-race'), 'not a race: nothing was stored');
      assert.equal((await cluster.admin(db.name, 'SELECT 1 FROM public.generation_history WHERE new_gen <> old_gen')).rowCount, 0, 'nothing was stored');
    } finally {
      if (!restarted) cluster.start();
    }
  });
});
