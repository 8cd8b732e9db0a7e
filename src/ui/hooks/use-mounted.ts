import { useEffect, useRef, type MutableRefObject } from 'react';

/** False once the component is gone, so a late promise does not set state on nothing. */
export function useMounted(): MutableRefObject<boolean> {
  const mounted = useRef(true);
  useEffect(() => {
    mounted.current = true;
    return () => {
      mounted.current = false;
    };
  }, []);
  return mounted;
}
