import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { brokerBin, type BrokerRun } from './run-broker.js';
import { tempHome } from './temp-home.js';

// "Hosts" for the several-machines tests (§14): each host is the built broker run in a UTS
// namespace of its own (`unshare -u`, then `hostname NAME`), so os.hostname() and every event's
// `host` say NAME, with a home folder of its own: nothing is shared between hosts but the
// database URL. unshare needs root (CAP_SYS_ADMIN), which the CI and these machines have.

export interface Host {
  name: string;
  home: string;
  /** The broker on this host, like runBroker. */
  run(args: string[], options?: { env?: Record<string, string | undefined>; input?: string; timeoutMs?: number }): Promise<BrokerRun>;
  /** The broker on this host, started and left to the caller (to kill it). */
  spawn(args: string[], options?: { env?: Record<string, string | undefined> }): ChildProcess;
}

let checked = false;
function requireUnshare(): void {
  if (checked) return;
  const probe = spawnSync('unshare', ['-u', 'sh', '-c', 'hostname broker-probe && hostname'], { encoding: 'utf8' });
  if (probe.status !== 0 || probe.stdout.trim() !== 'broker-probe') {
    throw new Error(`hosts need \`unshare -u\` and \`hostname\` as root: ${probe.stderr.trim() || `exit ${probe.status}`}`);
  }
  checked = true;
}

/** argv that runs `command` on host `name`. */
export function onHost(name: string, command: string[]): string[] {
  return ['unshare', '-u', '--', 'sh', '-c', 'hostname "$0" && exec "$@"', name, ...command];
}

/** A host with a fresh home (removed after the test file), or `home` when given (a benchmark's own). */
export function makeHost(name: string, baseEnv: Record<string, string | undefined>, home = tempHome(`broker-host-${name}-`)): Host {
  requireUnshare();
  const envFor = (extra: Record<string, string | undefined> = {}) => ({ ...process.env, ...baseEnv, BROKER_HOME: home, ...extra });
  const start = (args: string[], extra?: Record<string, string | undefined>): ChildProcess => {
    const [command, ...argv] = onHost(name, [process.execPath, brokerBin, ...args]);
    return spawn(command!, argv, { env: envFor(extra), stdio: ['pipe', 'pipe', 'pipe'] });
  };
  return {
    name,
    home,
    spawn: (args, options = {}) => start(args, options.env),
    run: (args, options = {}) =>
      new Promise((resolve, reject) => {
        const child = start(args, options.env);
        let stdout = '';
        let stderr = '';
        let timedOut = false;
        const timer = options.timeoutMs === undefined ? undefined : setTimeout(() => ((timedOut = true), child.kill('SIGKILL')), options.timeoutMs);
        child.stdout!.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
        child.stderr!.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
        child.on('error', reject);
        child.on('close', (code) => {
          clearTimeout(timer);
          resolve({ code, stdout, stderr, ...(timedOut ? { timedOut } : {}) });
        });
        child.stdin!.on('error', () => undefined);
        child.stdin!.end(options.input ?? '');
      }),
  };
}
