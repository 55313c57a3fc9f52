// Sorting and filtering of the pod table. Pure.

import type { PodSummary } from '../../shared/api.js';
import { statusTone, toneRank } from './pod-status.js';

export type PodSortKey = 'name' | 'status' | 'ready' | 'restarts' | 'age' | 'node';
export const POD_SORT_KEYS: readonly PodSortKey[] = ['name', 'status', 'ready', 'restarts', 'age', 'node'];

export interface PodSort {
  key: PodSortKey;
  descending: boolean;
}

export function parsePodSort(value: string | null): PodSort {
  const descending = value?.startsWith('-') ?? false;
  const key = (value ?? '').replace(/^-/, '');
  return (POD_SORT_KEYS as readonly string[]).includes(key)
    ? { key: key as PodSortKey, descending }
    : { key: 'name', descending: false };
}

export function formatPodSort(sort: PodSort): string | null {
  if (sort.key === 'name' && !sort.descending) return null;
  return `${sort.descending ? '-' : ''}${sort.key}`;
}

const byName = (a: PodSummary, b: PodSummary): number => a.name.localeCompare(b.name);

function compare(key: PodSortKey, a: PodSummary, b: PodSummary): number {
  switch (key) {
    case 'name':
      return byName(a, b);
    case 'status':
      return toneRank(statusTone(a)) - toneRank(statusTone(b)) || a.status.localeCompare(b.status);
    case 'ready':
      return a.ready / (a.total || 1) - b.ready / (b.total || 1);
    case 'restarts':
      return a.restarts - b.restarts;
    case 'age':
      // Youngest first when ascending, like reading "AGE" upwards.
      return Date.parse(b.createdAt) - Date.parse(a.createdAt);
    case 'node':
      return (a.node ?? '').localeCompare(b.node ?? '');
  }
}

function needsAttention(pod: PodSummary): boolean {
  const tone = statusTone(pod);
  return tone === 'error' || tone === 'warn';
}

/** Every whitespace-separated term must occur (case-insensitively) in the name, status or node. */
export function matchesPodFilter(pod: PodSummary, filter: string): boolean {
  const terms = filter.toLowerCase().split(/\s+/).filter(Boolean);
  if (terms.length === 0) return true;
  const haystack = `${pod.name} ${pod.status} ${pod.node ?? ''}`.toLowerCase();
  return terms.every((term) => haystack.includes(term));
}

export function visiblePods(
  pods: Iterable<PodSummary>,
  options: { filter: string; problemsOnly: boolean; sort: PodSort },
): PodSummary[] {
  const rows = [...pods].filter(
    (pod) => matchesPodFilter(pod, options.filter) && (!options.problemsOnly || needsAttention(pod)),
  );
  const { key, descending } = options.sort;
  rows.sort((a, b) => {
    const order = compare(key, a, b);
    return (descending ? -order : order) || byName(a, b);
  });
  return rows;
}

/** Moves a selection by `delta` rows, clamped; with nothing selected, starts at the first row. */
export function moveSelection(
  names: readonly string[],
  selected: string | null,
  delta: number,
): string | null {
  if (names.length === 0) return null;
  const index = selected === null ? -1 : names.indexOf(selected);
  if (index === -1) return names[delta >= 0 ? 0 : names.length - 1]!;
  return names[Math.max(0, Math.min(names.length - 1, index + delta))]!;
}
