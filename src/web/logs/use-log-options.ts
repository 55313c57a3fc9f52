import { useCallback, useMemo } from 'react';
import { useSearchParams } from 'react-router-dom';
import { parseLogOptions, writeLogOptions, type LogViewOptions } from './log-options.js';

/** The log view's options, read from and written to the page URL (so the view can be shared). */
export function useLogOptions(): [LogViewOptions, (changes: Partial<LogViewOptions>) => void] {
  const [params, setParams] = useSearchParams();
  const query = params.toString();
  const options = useMemo(() => parseLogOptions(new URLSearchParams(query)), [query]);
  const update = useCallback(
    (changes: Partial<LogViewOptions>) =>
      setParams((prev) => writeLogOptions(prev, changes), { replace: true }),
    [setParams],
  );
  return [options, update];
}
