import type { SourceState } from './log-store.js';

/** Which colour is which pod/container in a merged stream. */
export function SourceLegend({ sources }: { sources: readonly SourceState[] }) {
  if (sources.length === 0) return null;
  return (
    <ul className="legend" aria-label="Log sources" data-testid="log-legend">
      {sources.map((s) => (
        <li key={s.key} className={`src-c${s.color}`} data-testid="log-legend-item">
          <span className="swatch" aria-hidden="true" />
          <span className={s.ended ? 'ended' : undefined} title={s.ended ? 'ended' : `${s.lines} lines`}>
            {s.key}
          </span>
        </li>
      ))}
    </ul>
  );
}
