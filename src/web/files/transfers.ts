// Downloads and uploads with progress. A download is read chunk by chunk (so bytes/total can be shown)
// and handed to the browser as a Blob URL; an upload goes through XMLHttpRequest, the one browser API
// that reports upload progress.

import type { UploadResult } from '../../shared/debug/debug-api.js';
import { noticeLoginRequired } from '../auth/login-required.js';
import { apiErrorText } from '../debug/api-error-text.js';
import { dispositionFileName } from './file-paths.js';
import { parseSizeHeader } from './file-format.js';

export class TransferError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.name = 'TransferError';
  }
}

export interface Progress {
  done: number;
  /** Null when unknown (a directory archive is made as it streams). */
  total: number | null;
}

/** Fetches `url` reporting progress, then saves it under the server's file name. */
export async function downloadWithProgress(
  url: string,
  fallbackName: string,
  onProgress: (p: Progress) => void,
  signal: AbortSignal,
): Promise<{ fileName: string; bytes: number }> {
  let response: Response;
  try {
    response = await fetch(url, { signal });
  } catch (err) {
    if (signal.aborted) throw err;
    throw new TransferError(apiErrorText(0, '', ''), 0);
  }
  if (!response.ok) {
    const text = await response.text();
    noticeLoginRequired(response.status, text);
    throw new TransferError(apiErrorText(response.status, response.statusText, text), response.status);
  }
  const total = parseSizeHeader(response.headers.get('X-Podscope-File-Size'));
  const fileName = dispositionFileName(response.headers.get('Content-Disposition'), fallbackName);
  const chunks: Uint8Array<ArrayBuffer>[] = [];
  let done = 0;
  onProgress({ done, total });
  if (response.body) {
    const reader = response.body.getReader();
    for (;;) {
      const { value, done: finished } = await reader.read();
      if (finished) break;
      chunks.push(value);
      done += value.byteLength;
      onProgress({ done, total });
    }
  }
  // A stream cut short by the server (a file that shrank, a dropped exec) must not be saved as complete.
  if (total !== null && done !== total) {
    throw new TransferError(
      `The download ended after ${done} of ${total} bytes; nothing was saved. Try again.`,
      502,
    );
  }
  const blob = new Blob(chunks, { type: response.headers.get('Content-Type') ?? 'application/octet-stream' });
  saveBlob(blob, fileName);
  return { fileName, bytes: done };
}

function saveBlob(blob: Blob, fileName: string): void {
  const href = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = href;
  a.download = fileName;
  a.style.display = 'none';
  document.body.appendChild(a);
  a.click();
  a.remove();
  // The click starts the save synchronously in every engine, but revoking at once races some of them.
  setTimeout(() => URL.revokeObjectURL(href), 60_000);
}

/** PUTs `file` as the raw body; resolves with the server's UploadResult (including the sha256). */
export function uploadWithProgress(
  url: string,
  file: Blob,
  onProgress: (p: Progress) => void,
  signal: AbortSignal,
): Promise<UploadResult> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('PUT', url);
    xhr.setRequestHeader('Content-Type', 'application/octet-stream');
    xhr.upload.onprogress = (e) =>
      onProgress({ done: e.loaded, total: e.lengthComputable ? e.total : file.size });
    xhr.onload = () => {
      if (xhr.status >= 200 && xhr.status < 300) {
        try {
          resolve(JSON.parse(xhr.responseText) as UploadResult);
        } catch {
          reject(
            new TransferError('The server answered the upload with something that is not JSON.', xhr.status),
          );
        }
        return;
      }
      noticeLoginRequired(xhr.status, xhr.responseText);
      reject(new TransferError(apiErrorText(xhr.status, xhr.statusText, xhr.responseText), xhr.status));
    };
    xhr.onerror = () => reject(new TransferError(apiErrorText(0, '', ''), 0));
    xhr.onabort = () => reject(new DOMException('The upload was cancelled.', 'AbortError'));
    signal.addEventListener('abort', () => xhr.abort(), { once: true });
    onProgress({ done: 0, total: file.size });
    xhr.send(file);
  });
}
