import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import type { UploadResult } from '../../shared/debug/debug-api.js';
import { useAnnounce } from '../common/Announcer.js';
import { formatBytes, progressText } from './file-format.js';
import { filePaths, joinPath, normalizeTypedPath, type FileQuery } from './file-paths.js';
import { uploadWithProgress, type Progress } from './transfers.js';

interface UploadFormProps {
  cluster: string;
  namespace: string;
  pod: string;
  /** The directory shown: the file lands in it. */
  at: FileQuery;
  maxBytes: number | null;
  /** Why the person may not upload here (RBAC or the exec policy); null: they may. */
  denied: string | null;
  onUploaded: () => void;
}

type UploadState =
  | { phase: 'idle' }
  | { phase: 'sending'; progress: Progress }
  | { phase: 'done'; result: UploadResult }
  | { phase: 'failed'; error: string };

/** Puts one file from this computer into the shown directory, and shows the sha256 that arrived. */
export function UploadForm({ cluster, namespace, pod, at, maxBytes, denied, onUploaded }: UploadFormProps) {
  const [file, setFile] = useState<File | null>(null);
  const [name, setName] = useState('');
  const [overwrite, setOverwrite] = useState(false);
  const [state, setState] = useState<UploadState>({ phase: 'idle' });
  const controller = useRef<AbortController | null>(null);
  const announce = useAnnounce();
  useEffect(() => () => controller.current?.abort(), []);
  const deniedId = useId();

  const target = name.includes('/') || name === '.' || name === '..' ? null : joinPath(at.path, name);
  const valid = target === null ? null : normalizeTypedPath(target);
  const problem =
    file === null
      ? 'Choose a file first.'
      : !name || target === null
        ? 'Give the file a name without "/".'
        : valid && !valid.ok
          ? valid.error
          : maxBytes !== null && file.size > maxBytes
            ? `${file.name} is ${formatBytes(file.size)}, more than the upload limit of ${formatBytes(maxBytes)}.`
            : null;
  const sending = state.phase === 'sending';

  const onSubmit = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    if (sending || denied !== null || problem !== null || file === null || target === null) return;
    const c = new AbortController();
    controller.current = c;
    setState({ phase: 'sending', progress: { done: 0, total: file.size } });
    try {
      const result = await uploadWithProgress(
        filePaths.upload(cluster, namespace, pod, { ...at, path: target, overwrite }),
        file,
        (progress) => setState({ phase: 'sending', progress }),
        c.signal,
      );
      setState({ phase: 'done', result });
      announce(`Uploaded ${result.path}, ${formatBytes(result.size)}.`);
      onUploaded();
    } catch (err) {
      setState(
        c.signal.aborted
          ? { phase: 'idle' }
          : { phase: 'failed', error: err instanceof Error ? err.message : String(err) },
      );
    }
  };

  return (
    <form className="files-upload" onSubmit={(e) => void onSubmit(e)} aria-label="Upload a file">
      <div className="toolbar">
        <strong>Upload to {at.path}</strong>
        <label className="field">
          File
          <input
            type="file"
            onChange={(e) => {
              const chosen = e.target.files?.[0] ?? null;
              setFile(chosen);
              setName(chosen?.name ?? '');
              setState({ phase: 'idle' });
            }}
            disabled={sending}
            data-testid="files-upload-input"
          />
        </label>
        <label className="field">
          as
          <input
            type="text"
            className="mono"
            value={name}
            onChange={(e) => setName(e.target.value)}
            disabled={sending || file === null}
            spellCheck={false}
            data-testid="files-upload-name"
          />
        </label>
        <label className="field">
          <input
            type="checkbox"
            checked={overwrite}
            onChange={(e) => setOverwrite(e.target.checked)}
            disabled={sending}
            data-testid="files-upload-overwrite"
          />
          replace an existing file
        </label>
        <button
          type="submit"
          className="btn btn-primary"
          disabled={sending || problem !== null || denied !== null}
          title={problem ?? undefined}
          aria-describedby={denied !== null ? deniedId : undefined}
          data-testid="files-upload-button"
        >
          Upload
        </button>
        {sending && (
          <button type="button" className="btn" onClick={() => controller.current?.abort()}>
            Cancel
          </button>
        )}
      </div>
      {denied !== null && (
        <p id={deniedId} className="permission-denied" data-testid="files-upload-denied">
          {denied}
        </p>
      )}
      {file !== null && problem !== null && (
        <p className="tone-error" role="alert">
          {problem}
        </p>
      )}
      {state.phase === 'sending' && (
        <p role="status" data-testid="files-upload-progress">
          <progress max={state.progress.total ?? undefined} value={state.progress.done} />{' '}
          {progressText(state.progress.done, state.progress.total)}
          {state.progress.total !== null && state.progress.done >= state.progress.total
            ? ' — checking the file in the container…'
            : ''}
        </p>
      )}
      {state.phase === 'done' && (
        <p className="tone-ok" role="status" data-testid="files-upload-result">
          Uploaded <span className="mono">{state.result.path}</span> ({formatBytes(state.result.size)}),
          sha256{' '}
          <span className="mono" data-testid="files-upload-sha256">
            {state.result.sha256}
          </span>
        </p>
      )}
      {state.phase === 'failed' && (
        <div className="banner banner-error" role="alert" data-testid="files-error">
          {state.error}
        </div>
      )}
    </form>
  );
}
