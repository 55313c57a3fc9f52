import {
  SINCE_OPTIONS,
  TAIL_OPTIONS,
  type LogViewOptions,
  type SinceOption,
  type TailOption,
} from './log-options.js';

interface RangeControlsProps {
  options: LogViewOptions;
  onOptions: (changes: Partial<LogViewOptions>) => void;
}

/** Which lines to fetch: the last N, and/or those from the last time window. */
export function RangeControls({ options, onOptions }: RangeControlsProps) {
  return (
    <>
      <label className="field">
        Tail
        <select
          value={options.tail}
          onChange={(e) => onOptions({ tail: e.target.value as TailOption })}
          data-testid="log-tail"
        >
          {TAIL_OPTIONS.map((t) => (
            <option key={t} value={t}>
              {t === 'all' ? 'all lines' : `${t} lines`}
            </option>
          ))}
        </select>
      </label>
      <label className="field">
        Since
        <select
          value={options.since}
          onChange={(e) => onOptions({ since: e.target.value as SinceOption })}
          data-testid="log-since"
        >
          {SINCE_OPTIONS.map((s) => (
            <option key={s} value={s}>
              {s === 'all' ? 'all time' : `last ${s}`}
            </option>
          ))}
        </select>
      </label>
    </>
  );
}
