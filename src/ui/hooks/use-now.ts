import { useCallback, useEffect, useState } from 'react';

/**
 * The injected clock, read every tickMs so relative times ("expires in 12 min", a device code's
 * countdown) move on screen. The second value re-reads it at once (a step that just arrived).
 */
export function useNow(clock: () => Date, tickMs = 1000): [Date, () => void] {
  const [now, setNow] = useState(clock);
  useEffect(() => {
    const timer = setInterval(() => setNow(clock()), tickMs);
    return () => clearInterval(timer);
  }, [clock, tickMs]);
  const readNow = useCallback(() => setNow(clock()), [clock]);
  return [now, readNow];
}
