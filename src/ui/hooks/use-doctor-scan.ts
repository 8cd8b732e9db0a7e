import { useCallback, useRef, useState } from 'react';
import type { DoctorReport } from '../../core/doctor-report.js';
import type { Finding } from '../../core/findings.js';
import { useMounted } from './use-mounted.js';

/** How far a read of the event log has got. */
export interface ScanProgress {
  read: number;
  total: number;
  lines: number;
}

export interface DoctorScanView {
  report: DoctorReport | null;
  progress: ScanProgress | null;
  problem: string | null;
  /** Reads the log (again: only what was appended); a second call while one runs is ignored. */
  rescan: () => void;
}

export function useDoctorScan(scan: (onProgress: (read: number, total: number, lines: number) => void) => Promise<DoctorReport>, onLoaded: (findings: Finding[]) => void): DoctorScanView {
  const [report, setReport] = useState<DoctorReport | null>(null);
  const [progress, setProgress] = useState<ScanProgress | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const mounted = useMounted();
  const scanning = useRef(false);

  const rescan = useCallback(() => {
    if (scanning.current) return;
    scanning.current = true;
    setProgress({ read: 0, total: 0, lines: 0 });
    scan((read, total, lines) => mounted.current && setProgress({ read, total, lines })).then(
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
