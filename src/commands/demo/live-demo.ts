import { demoAccounts, startLocalProviders } from '../../adapters/local-providers.js';
import { makeDemoHome, type DemoHome } from './demo-home.js';
import { causeRefreshRace, headlineFailures, seedHealthyConnection, type CauseFailure } from './headline-failures.js';

// The whole demo's setup: the local providers, a temporary home, one healthy connection and every
// headline failure caused through the broker. Each step says on `progress` what it did.

export interface LiveDemo {
  home: DemoHome;
  /** Standing hints for the TUI: where to sign in and as whom, where the provider shows a rotated secret. */
  notice: string[];
  /** Stops the providers and removes the home. */
  stop(): Promise<void>;
}

/** onHome is told the home as soon as it exists, so an interrupted setup can still remove it. */
export async function startLiveDemo(
  env: Readonly<Record<string, string | undefined>>,
  now: () => Date,
  progress: (line: string) => void,
  onHome: (home: DemoHome) => void = () => {},
): Promise<LiveDemo> {
  const started = Date.now();
  progress('broker demo: starting the local providers on 127.0.0.1…');
  const providers = await startLocalProviders();
  const home = makeDemoHome(providers, env, now);
  onHome(home);
  const stop = async () => {
    await providers.close();
    home.remove();
  };
  try {
    const issuer = providers.oidc.issuer;
    progress(`  OpenID provider  ${issuer}  (sign-in page; ${issuer}/console shows client secrets)`);
    progress(`  GitHub stand-in  ${providers.github.url}  (one App, installed on acme and on globex)`);
    progress(`  home             ${home.root}  (file token store; removed when the demo ends)`);
    progress('causing the headline failures through the broker:');
    const step = async (id: string, cause: CauseFailure): Promise<void> => {
      try {
        const caused = await cause(home);
        progress(`  ✓ ${caused.conn.padEnd(15)} ${caused.done}`);
      } catch (err) {
        progress(`  ✗ ${id}: ${err instanceof Error ? err.message : String(err)}`);
      }
    };
    // The race runs in two other processes that mostly wait: the rest goes on meanwhile in this one.
    const race = step('refresh-race', causeRefreshRace);
    await seedHealthyConnection(home);
    for (const [id, cause] of Object.entries(headlineFailures)) if (cause !== causeRefreshRace) await step(id, cause);
    await race;
    progress(`ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    return {
      home,
      notice: [
        `demo: sign in at ${issuer} as ${demoAccounts.service}, any password works`,
        `demo: rotated client secrets at ${issuer}/console · q ends the demo`,
      ],
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
