import { progressText } from './file-format.js';
import type { Downloads } from './use-downloads.js';

/** Downloads of this page with bytes/total while they run, and what became of them. */
export function TransferList({ downloads }: { downloads: Downloads }) {
  if (downloads.list.length === 0) return null;
  return (
    <section className="files-transfers" aria-label="Downloads" data-testid="files-downloads">
      <div className="toolbar">
        <strong>Downloads</strong>
        <button type="button" className="btn btn-small" onClick={downloads.clear}>
          Clear finished
        </button>
      </div>
      <ul>
        {downloads.list.map((d) => (
          <li
            key={d.id}
            data-testid={`files-download-progress-${d.path.slice(d.path.lastIndexOf('/') + 1) || 'root'}`}
            data-state={d.state}
          >
            <span className="mono">{d.path}</span>
            {d.directory ? <span className="muted"> (as .tar.gz)</span> : null}{' '}
            {d.state === 'running' && (
              <>
                <progress
                  max={d.progress.total ?? undefined}
                  value={d.progress.total !== null ? d.progress.done : undefined}
                />{' '}
                <span>{progressText(d.progress.done, d.progress.total)}</span>{' '}
                <button type="button" className="btn btn-small" onClick={() => downloads.cancel(d.id)}>
                  Cancel
                </button>
              </>
            )}
            {d.state === 'done' && (
              <span className="tone-ok">
                saved as <span className="mono">{d.name}</span> ({progressText(d.progress.done, null)})
              </span>
            )}
            {d.state === 'cancelled' && <span className="muted">cancelled</span>}
            {d.state === 'failed' && (
              <span className="tone-error" role="alert" data-testid="files-error">
                {d.error}
              </span>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}
