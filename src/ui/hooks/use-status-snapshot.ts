import { useCallback, useEffect, useRef, useState } from 'react';
import type { StatusSnapshot } from '../../core/health-rows.js';
import { useMounted } from './use-mounted.js';

export interface StatusSnapshotView {
  snapshot: StatusSnapshot | null;
  problem: string | null;
  /** Re-read now (R). */
  reload: () => void;
}

/**
 * The grid's data: re-read every reloadMs while the view is on screen, and at once when it comes
 * back (a fix made in the doctor shows in the grid), unless it has just been read.
 */
export function useStatusSnapshot(load: () => Promise<StatusSnapshot>, initial: StatusSnapshot | undefined, active: boolean, reloadMs: number): StatusSnapshotView {
  const [snapshot, setSnapshot] = useState<StatusSnapshot | null>(initial ?? null);
  const [problem, setProblem] = useState<string | null>(null);
  const mounted = useMounted();
  const loading = useRef(false);
  const fresh = useRef(initial !== undefined);

  const reload = useCallback(() => {
    if (loading.current) return;
    loading.current = true;
    load().then(
      (next) => {
        loading.current = false;
        if (!mounted.current) return;
        setSnapshot(next);
        setProblem(null);
      },
      (err: unknown) => {
        loading.current = false;
        if (mounted.current) setProblem(err instanceof Error ? err.message : String(err));
      },
    );
  }, [load, mounted]);

  useEffect(() => {
    if (!active) return;
    if (fresh.current) fresh.current = false;
    else reload();
    const timer = setInterval(reload, reloadMs);
    return () => clearInterval(timer);
  }, [active, reload, reloadMs]);

  return { snapshot, problem, reload };
}
