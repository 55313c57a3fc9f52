import { memo } from 'react';
import { classifyLevel, tryPrettyJson } from '../../shared/logs/classify.js';
import type { LogLineEntry, LogMarkerEntry, LogEntry } from './log-entry.js';
import type { LineMatcher } from './log-store.js';
import { LogText } from './LogText.js';
import { sourceKey } from './source-colors.js';

export interface LogRowDisplay {
  timestamps: boolean;
  showSource: boolean;
  /** Pretty-print JSON lines unless toggled individually. */
  json: boolean;
  /** Rows are one fixed-height line (no wrap, no pretty JSON): no measuring needed. */
  fixedHeight: boolean;
}

interface LogRowProps {
  entry: LogEntry;
  index: number;
  start: number;
  display: LogRowDisplay;
  matcher: LineMatcher | null;
  /** Which match on this line is the current one (null: none). */
  currentNth: number | null;
  /** Per-line JSON toggle (inverts the global setting). */
  jsonToggled: boolean;
  onToggleJson: (seq: number) => void;
  sourceColor: number | null;
  measureRef: ((node: Element | null) => void) | undefined;
}

const LOOKS_LIKE_JSON = /^\s*[[{]/;

function MarkerRow({ entry, index, start, measureRef }: LogRowProps & { entry: LogMarkerEntry }) {
  const source = entry.source ? `${sourceKey(entry.source)}: ` : '';
  return (
    <div
      ref={measureRef}
      data-index={index}
      className={`log-marker marker-${entry.markerKind}`}
      style={{ transform: `translateY(${start}px)` }}
      role="separator"
      data-testid="log-marker"
      data-marker-kind={entry.markerKind}
      title={entry.ts ?? undefined}
    >
      <span>
        {source}
        {entry.message}
      </span>
    </div>
  );
}

function LineRow(props: LogRowProps & { entry: LogLineEntry }) {
  const {
    entry,
    index,
    start,
    display,
    matcher,
    currentNth,
    jsonToggled,
    onToggleJson,
    sourceColor,
    measureRef,
  } = props;
  const level = classifyLevel(entry.plain);
  const jsonCandidate = LOOKS_LIKE_JSON.test(entry.plain);
  const pretty = jsonCandidate && display.json !== jsonToggled ? tryPrettyJson(entry.plain) : null;
  let className = 'log-row';
  if (display.fixedHeight) className += ' fixed';
  if (level) className += ` level-${level}`;
  if (currentNth !== null) className += ' current-match-line';
  return (
    <div
      ref={measureRef}
      data-index={index}
      className={className}
      style={{ transform: `translateY(${start}px)` }}
      data-testid="log-line"
      data-seq={entry.seq}
      data-level={level ?? undefined}
    >
      {display.timestamps && <span className="log-ts">{entry.ts}</span>}
      {display.showSource && entry.source && (
        <span className={`log-src src-c${sourceColor ?? 0}`} title={sourceKey(entry.source)}>
          {sourceKey(entry.source)}
        </span>
      )}
      {pretty !== null ? (
        <pre className="log-pretty log-text">
          <LogText text={pretty} plain={pretty} matcher={matcher} currentNth={currentNth} />
        </pre>
      ) : (
        <LogText text={entry.text} plain={entry.plain} matcher={matcher} currentNth={currentNth} />
      )}
      {jsonCandidate && (
        <button
          type="button"
          className="log-json-toggle"
          onClick={() => onToggleJson(entry.seq)}
          aria-pressed={pretty !== null}
          title={pretty !== null ? 'Show as one line' : 'Pretty-print this JSON line'}
          data-testid="log-json-toggle"
        >
          {'{}'}
        </button>
      )}
    </div>
  );
}

/** One virtualised row: a log line, or a separator row for a marker (restart, source joined…). */
export const LogRow = memo(function LogRow(props: LogRowProps) {
  const { entry } = props;
  return entry.kind === 'marker' ? (
    <MarkerRow {...props} entry={entry} />
  ) : (
    <LineRow {...props} entry={entry} />
  );
});
