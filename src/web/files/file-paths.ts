// File endpoints and the path arithmetic of the Files tab. Pure.

import { validateContainerPath } from '../../shared/debug/container-paths.js';
import { withQuery } from '../common/api-paths.js';

const enc = encodeURIComponent;

export interface FileQuery {
  container: string;
  path: string;
  /** A debug container that targets `container`, for images without tools. */
  via?: string | null;
}

const filesBase = (cluster: string, namespace: string, pod: string): string =>
  `/api/clusters/${enc(cluster)}/namespaces/${enc(namespace)}/pods/${enc(pod)}/files`;

const query = (q: FileQuery) => ({ container: q.container, path: q.path, via: q.via ?? undefined });

export const filePaths = {
  list: (cluster: string, namespace: string, pod: string, q: FileQuery): string =>
    withQuery(filesBase(cluster, namespace, pod), query(q)),
  download: (cluster: string, namespace: string, pod: string, q: FileQuery): string =>
    withQuery(`${filesBase(cluster, namespace, pod)}/download`, query(q)),
  upload: (cluster: string, namespace: string, pod: string, q: FileQuery & { overwrite?: boolean }): string =>
    withQuery(`${filesBase(cluster, namespace, pod)}/upload`, {
      ...query(q),
      overwrite: q.overwrite ? 'true' : undefined,
    }),
};

/** `name` inside directory `dir`. */
export function joinPath(dir: string, name: string): string {
  return dir === '/' ? `/${name}` : `${dir}/${name}`;
}

/** The directory above `path` ('/' stays '/'). */
export function parentPath(path: string): string {
  const i = path.lastIndexOf('/');
  return i <= 0 ? '/' : path.slice(0, i);
}

/** The clickable steps of a path bar: `/`, `/var`, `/var/log` for `/var/log`. */
export function pathCrumbs(path: string): { name: string; path: string }[] {
  const crumbs = [{ name: '/', path: '/' }];
  if (path === '/') return crumbs;
  let at = '';
  for (const segment of path.slice(1).split('/')) {
    at = `${at}/${segment}`;
    crumbs.push({ name: segment, path: at });
  }
  return crumbs;
}

/**
 * What the user typed in the path bar, tidied the way a shell would read it (surrounding spaces, a
 * trailing or doubled '/', a missing leading '/'), then held to the server's rules so a bad path is
 * explained before any request.
 */
export function normalizeTypedPath(text: string): { ok: true; value: string } | { ok: false; error: string } {
  let p = text.trim();
  if (p === '') return { ok: true, value: '/' };
  if (!p.startsWith('/')) p = `/${p}`;
  p = p.replace(/\/{2,}/g, '/').replace(/(?:\/\.)+(?=\/|$)/g, '');
  if (p.length > 1) p = p.replace(/\/+$/, '');
  if (p === '') p = '/';
  return validateContainerPath(p);
}

/** The file name of a download, from Content-Disposition (`attachment; filename="x.tar.gz"`). */
export function dispositionFileName(header: string | null, fallback: string): string {
  const m = header ? /filename="([^"]*)"/.exec(header) : null;
  return m?.[1] || fallback;
}
