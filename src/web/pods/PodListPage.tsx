import { useCallback, useEffect, useEffectEvent, useMemo, useReducer, useRef, useState } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router-dom';
import type { PodWatchMessage } from '../../shared/api.js';
import { apiPaths } from '../common/api-paths.js';
import { useAnnounce } from '../common/Announcer.js';
import { ConnectionBadge } from '../common/ConnectionBadge.js';
import { ErrorBanner } from '../common/ErrorBanner.js';
import { NamespaceProblems } from '../diagnosis/NamespaceProblems.js';
import { isPlainKey, isTypingTarget } from '../common/keyboard.js';
import { routes } from '../common/routes.js';
import { useNow } from '../common/use-now.js';
import { useDocumentTitle } from '../common/use-document-title.js';
import { useSocket } from '../common/use-socket.js';
import { applyPodWatch, INITIAL_POD_LIST } from './pod-list-state.js';
import { statusTone } from './pod-status.js';
import { newProblemPods, problemAnnouncement } from './problem-pods.js';
import { formatPodSort, moveSelection, parsePodSort, visiblePods, type PodSortKey } from './pod-table.js';
import { PodTable } from './PodTable.js';

interface PodListPageProps {
  cluster: string;
  namespace: string;
}

export function PodListPage({ cluster, namespace }: PodListPageProps) {
  const [state, dispatch] = useReducer(applyPodWatch, INITIAL_POD_LIST);
  const status = useSocket(apiPaths.podsWatch(cluster, namespace), (message) => {
    const typed = message as PodWatchMessage;
    dispatch(typed);
    return typed.type === 'error' && typed.status < 500 ? 'finish' : undefined;
  });
  const now = useNow(1000);
  const navigate = useNavigate();
  const [params, setParams] = useSearchParams();
  // The box is local state (typing must not wait for a navigation); the URL follows after a pause.
  const urlFilter = params.get('filter') ?? '';
  const [filter, setFilter] = useState(urlFilter);
  const problemsOnly = params.get('problems') === '1';
  const sortParam = params.get('sort');
  const sort = useMemo(() => parsePodSort(sortParam), [sortParam]);
  const [selected, setSelected] = useState<string | null>(null);
  /** Bumped when a key moved the selection outside the filter box: the selected row takes the focus. */
  const [focusRequest, setFocusRequest] = useState(0);
  const filterInput = useRef<HTMLInputElement>(null);
  useDocumentTitle(`Pods in ${namespace}`);

  // Screen readers hear when a pod starts failing while the list is open (sighted users see the row).
  const announce = useAnnounce();
  const announcedProblems = useRef<ReadonlySet<string> | null>(null);
  useEffect(() => {
    if (!state.loaded) return;
    const { added, announced } = newProblemPods(announcedProblems.current, state.pods.values());
    announcedProblems.current = announced;
    const message = problemAnnouncement(added);
    if (message !== null) announce(message);
  }, [state.loaded, state.pods, announce]);

  const rows = useMemo(
    () => visiblePods(state.pods.values(), { filter, problemsOnly, sort }),
    [state.pods, filter, problemsOnly, sort],
  );
  const names = useMemo(() => rows.map((p) => p.name), [rows]);
  const problemCount = useMemo(
    () => [...state.pods.values()].filter((p) => statusTone(p) === 'error').length,
    [state.pods],
  );
  // Diagnose the namespace again when the set of failing pods changes, and once a minute (a crash loop
  // cycles through statuses every few seconds; its cause does not).
  const failingNames = useMemo(
    () =>
      [...state.pods.values()]
        .filter((p) => p.problem)
        .map((p) => p.name)
        .sort()
        .join(','),
    [state.pods],
  );
  const problemKey = failingNames === '' ? '' : `${failingNames}@${Math.floor(now / 60_000)}`;

  const updateParam = useCallback(
    (name: string, value: string | null): void => {
      setParams(
        (prev) => {
          const next = new URLSearchParams(prev);
          if (value === null || value === '') next.delete(name);
          else next.set(name, value);
          return next;
        },
        { replace: true },
      );
    },
    [setParams],
  );

  useEffect(() => {
    if (filter === urlFilter) return undefined;
    const timer = setTimeout(() => updateParam('filter', filter), 300);
    return () => clearTimeout(timer);
  }, [filter, urlFilter, updateParam]);

  const onSort = (key: PodSortKey): void => {
    const descending = sort.key === key ? !sort.descending : false;
    updateParam('sort', formatPodSort({ key, descending }));
  };

  const onKey = useEffectEvent((event: KeyboardEvent) => {
    if (!isPlainKey(event)) return;
    const inFilter = event.target === filterInput.current;
    if (isTypingTarget(event.target) && !inFilter) return;
    if (event.key === '/' && !inFilter) {
      event.preventDefault();
      filterInput.current?.focus();
      filterInput.current?.select();
    } else if (event.key === 'Escape' && inFilter) {
      // Leaves the box with the filter kept (a search field would otherwise clear itself first).
      event.preventDefault();
      filterInput.current?.blur();
    } else if (event.key === 'ArrowDown' || (event.key === 'j' && !inFilter)) {
      event.preventDefault();
      setSelected(moveSelection(names, selected, 1));
      if (!inFilter) setFocusRequest((n) => n + 1);
    } else if (event.key === 'ArrowUp' || (event.key === 'k' && !inFilter)) {
      event.preventDefault();
      setSelected(moveSelection(names, selected, -1));
      if (!inFilter) setFocusRequest((n) => n + 1);
    } else if (event.key === 'Enter') {
      const target =
        selected !== null && names.includes(selected) ? selected : inFilter ? (names[0] ?? null) : null;
      if (target !== null) {
        event.preventDefault();
        navigate(routes.pod(cluster, namespace, target));
      }
    }
  });
  useEffect(() => {
    const listener = (event: KeyboardEvent): void => onKey(event);
    document.addEventListener('keydown', listener);
    return () => document.removeEventListener('keydown', listener);
  }, []);

  return (
    <>
      <h1 className="page-title">
        Pods <span className="muted mono">{namespace}</span>
        <ConnectionBadge status={status} />
      </h1>
      <div className="toolbar">
        <input
          ref={filterInput}
          type="search"
          placeholder="Filter pods (press /)"
          aria-label="Filter pods by name, status or node"
          value={filter}
          onChange={(e) => setFilter(e.target.value)}
          data-testid="pod-filter"
          size={32}
        />
        <button
          type="button"
          className="btn"
          aria-pressed={problemsOnly}
          onClick={() => updateParam('problems', problemsOnly ? null : '1')}
          data-testid="pod-problems-toggle"
        >
          Needs attention only
        </button>
        {problemCount > 0 && (
          <span className="badge tone-error" data-testid="pod-problem-count">
            {problemCount} failing
          </span>
        )}
        <span className="muted">
          {rows.length} of {state.pods.size} pods
        </span>
        <span className="header-spacer" />
        <Link className="btn" to={routes.events(cluster, namespace)}>
          Namespace events
        </Link>
        <Link className="btn" to={routes.selectorLogs(cluster, namespace, '')}>
          Merged logs…
        </Link>
      </div>
      {state.error && <ErrorBanner message={state.error} />}
      {state.loaded && problemKey !== '' && (
        <NamespaceProblems cluster={cluster} namespace={namespace} refreshKey={problemKey} />
      )}
      {!state.loaded && !state.error && <p className="muted">Loading pods…</p>}
      {state.loaded && state.pods.size === 0 && <p className="muted">No pods in this namespace.</p>}
      {rows.length > 0 && (
        <PodTable
          cluster={cluster}
          namespace={namespace}
          pods={rows}
          now={now}
          sort={sort}
          onSort={onSort}
          selected={selected}
          onSelect={setSelected}
          focusRequest={focusRequest}
        />
      )}
      <p className="muted" style={{ fontSize: 12 }}>
        Keys: <kbd>/</kbd> filter · <kbd>j</kbd>/<kbd>k</kbd> or arrows move · <kbd>Enter</kbd> opens ·{' '}
        <kbd>?</kbd> all keys
      </p>
    </>
  );
}
