import { useCallback, useRef, useState } from 'react';
import type { DoctorReport } from '../../core/doctor-report.js';
import type { Finding } from '../../core/findings.js';
import { useMounted } from './use-mounted.js';

export interface DoctorScanView {
  report: DoctorReport | null;
  progress: { read: number; total: number } | null;
  problem: string | null;
  /** Reads the log (again: only what was appended); a second call while one runs is ignored. */
  rescan: () => void;
}

export function useDoctorScan(scan: (onProgress: (read: number, total: number) => void) => Promise<DoctorReport>, onLoaded: (findings: Finding[]) => void): DoctorScanView {
  const [report, setReport] = useState<DoctorReport | null>(null);
  const [progress, setProgress] = useState<{ read: number; total: number } | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const mounted = useMounted();
  const scanning = useRef(false);

  const rescan = useCallback(() => {
    if (scanning.current) return;
    scanning.current = true;
    setProgress({ read: 0, total: 0 });
    scan((read, total) => mounted.current && setProgress({ read, total })).then(
      (next) => {
        scanning.current = false;
        if (!mounted.current) return;
        setReport(next);
        setProgress(null);
        setProblem(null);
        onLoaded(next.findings);
      },
      (err: unknown) => {
        scanning.current = false;
        if (!mounted.current) return;
        setProgress(null);
        setProblem(err instanceof Error ? err.message : String(err));
      },
    );
  }, [scan, onLoaded, mounted]);

  return { report, progress, problem, rescan };
}
