import type { DoctorSource } from './screens/DoctorScreen.js';

/**
 * A doctor whose code loads on first use: `broker status` draws its grid without loading the
 * remediation actions and the OAuth client, and loads them on the first `d`.
 */
export function lazyDoctorSource(load: () => Promise<DoctorSource>): DoctorSource {
  let loading: Promise<DoctorSource> | undefined;
  let loaded: DoctorSource | undefined;
  const source = async () => (loaded = await (loading ??= load()));
  return {
    scan: async (onProgress) => (await source()).scan(onProgress),
    // Runbooks arrive with a scan, which has loaded the source by then.
    runbook: (id) => loaded?.runbook(id),
    runAction: async (finding, action, onOutput, prompts) => (await source()).runAction(finding, action, onOutput, prompts),
  };
}
