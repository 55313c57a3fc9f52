import type { DirectoryEntry } from '../../shared/debug/debug-api.js';
import { formatDateTime } from '../common/time.js';
import { formatBytes, modeText } from './file-format.js';

interface FileTableProps {
  entries: DirectoryEntry[];
  onOpen: (name: string) => void;
  onDownload: (entry: DirectoryEntry) => void;
}

/** One directory, as `ls -la` would show it; directories (and links, which may be one) open on click. */
export function FileTable({ entries, onOpen, onDownload }: FileTableProps) {
  if (entries.length === 0) {
    return (
      <p className="muted" data-testid="files-empty">
        This directory is empty.
      </p>
    );
  }
  return (
    <div className="table-wrap">
      <table className="data files-table" data-testid="files-table">
        <thead>
          <tr>
            <th>Name</th>
            <th className="num">Size</th>
            <th>Mode</th>
            <th>Owner</th>
            <th>Modified</th>
            <th>
              <span className="visually-hidden">Download</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {entries.map((e) => (
            <tr key={e.name} data-testid={`files-entry-${e.name}`} data-type={e.type}>
              <td className="mono wrap-anywhere">
                {e.type === 'directory' || e.type === 'symlink' ? (
                  <button
                    type="button"
                    className="btn-link mono"
                    onClick={() => onOpen(e.name)}
                    title={e.type === 'symlink' ? 'A symbolic link: opens it as a directory' : undefined}
                  >
                    {e.name}
                    {e.type === 'directory' ? '/' : ' →'}
                  </button>
                ) : (
                  e.name
                )}
              </td>
              <td className="num" title={`${e.size} bytes`}>
                {e.type === 'file' ? formatBytes(e.size) : ''}
              </td>
              <td className="mono">{modeText(e.mode, e.type)}</td>
              <td className="mono">
                {e.uid}:{e.gid}
              </td>
              <td>{formatDateTime(e.modifiedAt)}</td>
              <td>
                {(e.type === 'file' || e.type === 'directory') && (
                  <button
                    type="button"
                    className="btn btn-small"
                    onClick={() => onDownload(e)}
                    title={e.type === 'directory' ? 'Download as .tar.gz' : 'Download'}
                    data-testid={`files-download-${e.name}`}
                  >
                    {e.type === 'directory' ? 'Download .tar.gz' : 'Download'}
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
