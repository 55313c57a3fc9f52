import { useId, useState } from 'react';
import { Link, useSearchParams } from 'react-router-dom';
import type { PodDetail } from '../../shared/api.js';
import type { DebugContainerCreated, DebugOptions, DirectoryListing } from '../../shared/debug/debug-api.js';
import { errorMessage } from '../common/api-client.js';
import { routes } from '../common/routes.js';
import { useJson } from '../common/use-json.js';
import { debugPaths } from '../debug/debug-paths.js';
import { requestJson } from '../debug/request-json.js';
import { FileTable } from './FileTable.js';
import { filePaths, joinPath, normalizeTypedPath, parentPath, pathCrumbs } from './file-paths.js';
import { defaultFileContainer, fileContainers, viaChoices } from './file-targets.js';
import { UploadForm } from './UploadForm.js';
import { useDownloads } from './use-downloads.js';
import { TransferList } from './TransferList.js';
import { DeniedReason, useActionState } from '../permissions/PodPermissions.js';
import '../debug/debug.css';

interface FilesTabProps {
  cluster: string;
  namespace: string;
  pod: PodDetail;
}

/** Browse, download and upload files in a container, directly or through a debug container. */
export function FilesTab({ cluster, namespace, pod }: FilesTabProps) {
  const [params, setParams] = useSearchParams();
  const choices = fileContainers(pod.containers);
  const container = defaultFileContainer(choices, params.get('container'));
  const selected = choices.find((c) => c.name === container) ?? null;
  const via = params.get('via') || null;
  const vias = container === null ? [] : viaChoices(pod.containers, container);
  // A debug container just started may not be in the pod watch yet: keep offering it.
  const viaOptions = via !== null && !vias.includes(via) ? [...vias, via] : vias;
  const typed = normalizeTypedPath(params.get('path') ?? '/');
  const path = typed.ok ? typed.value : '/';
  const at = container === null ? null : { container, via, path };
  // Browsing is a download's first step (the same exec): not allowed, nothing is listed.
  const readable = useActionState('file-download');
  const writable = useActionState('file-upload');
  const debuggable = useActionState('debug-container');
  const listing = useJson<DirectoryListing>(
    at && selected?.running && !readable.disabled ? filePaths.list(cluster, namespace, pod.name, at) : null,
  );
  const startDeniedId = useId();
  const options = useJson<DebugOptions>(debugPaths.options(cluster));
  const downloads = useDownloads();
  const [starting, setStarting] = useState(false);
  const [startError, setStartError] = useState<string | null>(null);

  const go = (next: { container?: string; via?: string | null; path?: string }, push = false): void => {
    const p = new URLSearchParams(params);
    const set = (key: string, value: string | null | undefined) => {
      if (value === undefined) return;
      if (value === null || value === '') p.delete(key);
      else p.set(key, value);
    };
    set('container', next.container);
    set('via', next.via);
    set('path', next.path);
    setParams(p, { replace: !push });
  };

  const startDebugContainer = async (): Promise<void> => {
    if (container === null || starting) return;
    setStarting(true);
    setStartError(null);
    try {
      const created = await requestJson<DebugContainerCreated>(
        'POST',
        debugPaths.debugContainers(cluster, namespace, pod.name),
        { target: container },
      );
      go({ via: created.container });
    } catch (err) {
      setStartError(errorMessage(err));
    } finally {
      setStarting(false);
    }
  };

  const isAppContainer = pod.containers.some((c) => c.name === container && c.kind === 'app');
  const crashLooping = pod.containers.some((c) => c.name === container && c.reason === 'CrashLoopBackOff');
  const blocker =
    readable.disabled && readable.reason !== null
      ? readable.reason
      : container === null
        ? 'This pod has no containers yet.'
        : !selected?.running
          ? `Container ${container} is not running, so its files cannot be reached.`
          : null;

  return (
    <div className="tab-panel files-panel">
      <div className="toolbar" role="group" aria-label="Where the files are">
        <label className="field">
          Container
          <select
            value={container ?? ''}
            onChange={(e) => go({ container: e.target.value, via: null, path: '/' })}
            data-testid="files-container"
          >
            {choices.map((c) => (
              <option key={c.name} value={c.name}>
                {c.label}
              </option>
            ))}
          </select>
        </label>
        <label
          className="field"
          title="A debug container that targets this container sees its files, even when the image has no tools."
        >
          Through
          <select
            value={via ?? ''}
            onChange={(e) => go({ via: e.target.value || null })}
            disabled={!isAppContainer}
            data-testid="files-via"
          >
            <option value="">the container itself (needs its own ls/cat/tar)</option>
            {viaOptions.map((name) => (
              <option key={name} value={name}>
                debug container {name}
              </option>
            ))}
          </select>
        </label>
        {isAppContainer && via === null && (
          <button
            type="button"
            className="btn"
            onClick={() => void startDebugContainer()}
            disabled={starting || !selected?.running || debuggable.disabled}
            title="Adds a debug container with the default tools image targeting this container, and browses through it."
            aria-describedby={debuggable.disabled ? startDeniedId : undefined}
            data-testid="files-start-debug"
          >
            {starting ? 'Starting a debug container…' : 'Start a debug container for this'}
          </button>
        )}
        {isAppContainer && via === null && (
          <DeniedReason id={startDeniedId} state={debuggable} testId="files-start-debug-denied" />
        )}
      </div>
      {startError && (
        <div className="banner banner-error" role="alert" data-testid="files-error">
          {startError}
        </div>
      )}

      <PathBar
        key={path}
        path={path}
        onGo={(next) => go({ path: next }, true)}
        invalid={typed.ok ? null : typed.error}
      />

      {blocker ? (
        <div className="banner banner-warn" role="status" data-testid="files-error">
          <span>
            {blocker}
            {crashLooping && (
              <>
                {' '}
                To look at its files,{' '}
                <Link to={routes.pod(cluster, namespace, pod.name, 'debug')}>
                  debug a copy of the pod
                </Link>{' '}
                and browse the copy.
              </>
            )}
          </span>
        </div>
      ) : listing.error ? (
        <div className="banner banner-error files-error" role="alert" data-testid="files-error">
          <span>{listing.error}</span>
          {via === null && isAppContainer && (
            <span className="muted">
              {' '}
              If the image has no shell or tools, browse through a debug container: start one above, or in the{' '}
              <Link to={routes.pod(cluster, namespace, pod.name, 'debug')}>Debug tab</Link>.
            </span>
          )}
          <button type="button" className="btn btn-small" onClick={listing.reload}>
            Retry
          </button>
        </div>
      ) : !listing.data ? (
        <p className="muted">Reading {path}…</p>
      ) : (
        at && (
          <>
            <div className="toolbar">
              <button
                type="button"
                className="btn"
                onClick={() => go({ path: parentPath(path) }, true)}
                disabled={path === '/'}
                data-testid="files-up"
              >
                ↑ Up
              </button>
              <button type="button" className="btn" onClick={listing.reload} data-testid="files-refresh">
                Refresh
              </button>
              <button
                type="button"
                className="btn"
                onClick={() =>
                  downloads.start(
                    filePaths.download(cluster, namespace, pod.name, at),
                    path === '/' ? 'root' : path.slice(path.lastIndexOf('/') + 1),
                    path,
                    true,
                  )
                }
                data-testid="files-download-current"
              >
                Download this directory (.tar.gz)
              </button>
              <span className="muted">
                {listing.data.entries.length === 1 ? '1 entry' : `${listing.data.entries.length} entries`}
                {listing.data.via ? ` · read through ${listing.data.via}` : ''}
              </span>
            </div>
            <FileTable
              entries={listing.data.entries}
              onOpen={(name) => go({ path: joinPath(path, name) }, true)}
              onDownload={(entry) =>
                downloads.start(
                  filePaths.download(cluster, namespace, pod.name, {
                    ...at,
                    path: joinPath(path, entry.name),
                  }),
                  entry.name,
                  joinPath(path, entry.name),
                  entry.type === 'directory',
                )
              }
            />
          </>
        )
      )}

      <TransferList downloads={downloads} />

      {at && selected?.running && (
        <UploadForm
          key={`${container}/${via ?? ''}/${path}`}
          cluster={cluster}
          namespace={namespace}
          pod={pod.name}
          at={at}
          maxBytes={options.data?.maxFileBytes ?? null}
          denied={writable.disabled ? writable.reason : null}
          onUploaded={listing.reload}
        />
      )}
    </div>
  );
}

interface PathBarProps {
  path: string;
  onGo: (path: string) => void;
  invalid: string | null;
}

function PathBar({ path, onGo, invalid }: PathBarProps) {
  const [draft, setDraft] = useState(path);
  const typed = normalizeTypedPath(draft);
  return (
    <form
      className="toolbar files-path-bar"
      onSubmit={(e) => {
        e.preventDefault();
        if (typed.ok) onGo(typed.value);
      }}
      aria-label="Path"
    >
      <nav className="files-crumbs" aria-label="Directories">
        {pathCrumbs(path).map((c, i, all) => (
          <span key={c.path}>
            {i === all.length - 1 ? (
              <span className="mono">{c.name}</span>
            ) : (
              <button type="button" className="btn-link mono" onClick={() => onGo(c.path)}>
                {c.name}
              </button>
            )}
            {i > 0 && i < all.length - 1 && <span aria-hidden="true">/</span>}
          </span>
        ))}
      </nav>
      <input
        type="text"
        className={`mono files-path${typed.ok ? '' : ' invalid'}`}
        value={draft}
        onChange={(e) => setDraft(e.target.value)}
        aria-label="Path in the container"
        spellCheck={false}
        autoComplete="off"
        data-testid="files-path"
      />
      <button type="submit" className="btn" disabled={!typed.ok} data-testid="files-go">
        Go
      </button>
      {!typed.ok && (
        <span className="tone-error" role="alert">
          {typed.error}
        </span>
      )}
      {typed.ok && invalid && (
        <span className="tone-error" role="alert">
          {invalid} Showing / instead.
        </span>
      )}
    </form>
  );
}
