import { killBrokerProcesses } from '../adapters/broker-process.js';
import { cleanUpOnShutdownSignal } from '../adapters/shutdown-signals.js';
import { usageError } from '../core/broker-error.js';
import { defineCommand } from './command.js';
import { createDeps } from './deps.js';
import { doctorCommand } from './doctor.js';
import { doctorSession, interactiveDoctor } from './doctor-session.js';
import { loadStatusSnapshot, statusCommand } from './status.js';

export interface DemoOptions {
  json: boolean;
}

export const demoCommand = defineCommand<DemoOptions>({
  name: 'demo',
  usage: `Usage: broker demo [--json]

Starts a real OpenID provider (oidc-provider) and a stand-in for GitHub's API on 127.0.0.1, makes a
temporary home with real tokens from them (the file token store, so no keychain is needed), and
causes the failures the doctor is for, through the broker itself:

  deploy-agent    two agents refresh one token at once without the lock: the provider revokes the family
  billing-sync    its client secret is rotated at the provider: the next refresh meets invalid_client
  gh-app-deploy   a GitHub App installation is asked for another owner's repository
  nightly-report  its refresh token sat unused past the provider's idle window, which expired it
  dana-notes      a CI job asks for a personal connection's token and is refused

In a terminal it then opens on the doctor: Enter shows a finding's runbook, its action key and y fix
it (a device login is approved on the local provider's page; any password works), s shows the grid,
q or Ctrl+C stops the providers and removes the home. Piped it prints the status and the doctor's
report; --json prints the doctor's JSON. Either way the home is removed when it ends.

Exit codes: those of \`broker doctor\`: 0 no error or critical finding is left, 1 otherwise.
`,
  options: { json: { type: 'boolean' } },
  // The sandbox is a home of its own on the file store, whatever BROKER_STORE says.
  opensStore: false,
  parse(values, positionals) {
    if (positionals.length > 0) throw usageError('demo takes no arguments');
    return { json: values.json === true };
  },
  async run(_opts, deps) {
    const progress = (line: string) => deps.io.stderr.write(`${line}\n`);
    // Loaded here, not at the top: the local providers (oidc-provider and the fixtures) are the demo's alone.
    const { startLiveDemo } = await import('./demo/live-demo.js');
    let removeHome = (): void => {};
    // Ctrl+C while it sets up (or prints, piped) still removes the home, after the agents it started
    // are gone (they would write into it); in the TUI Ctrl+C is a key like q.
    const stopOnSignal = cleanUpOnShutdownSignal(() => {
      killBrokerProcesses();
      removeHome();
    });
    try {
      const demo = await startLiveDemo(deps.env, deps.now, progress, (home) => (removeHome = home.remove));
      try {
        const home = createDeps({ io: deps.io, env: demo.home.env, home: demo.home.root, mode: deps.mode, now: deps.now });
        if (deps.mode === 'tty') {
          progress('opening the doctor…');
          const { showApp } = await import('../ui/show-app.js');
          const session = doctorSession(home, { since: { all: false, ms: 24 * 3600_000 } });
          const status = { load: () => loadStatusSnapshot(home, undefined) };
          const doctor = interactiveDoctor(session, home);
          const running = new Set<Promise<unknown>>();
          const runAction: typeof doctor.runAction = (...args) => {
            const run = doctor.runAction(...args);
            running.add(run);
            void run.then(
              () => running.delete(run),
              () => running.delete(run),
            );
            return run;
          };
          const code = await showApp({ start: 'doctor', doctor: { ...doctor, runAction }, status, clock: deps.now, notice: demo.notice }, deps.io);
          // A fix that q or Ctrl+C abandoned is aborted; it still logs how it ended. The home must be
          // there until then, or those last writes would make its folders again.
          await settledWithin([...running], 5000);
          return code;
        }
        if (deps.mode === 'text') {
          await statusCommand.run({}, home);
          deps.io.stdout.write('\n');
        }
        return await doctorCommand.run(doctorCommand.parse({}, []), home);
      } finally {
        await demo.stop();
      }
    } finally {
      stopOnSignal();
    }
  },
});

function settledWithin(promises: Array<Promise<unknown>>, ms: number): Promise<void> {
  if (promises.length === 0) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    void Promise.allSettled(promises).then(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}
