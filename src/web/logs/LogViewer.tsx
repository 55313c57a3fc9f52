import { useEffect, useEffectEvent, useMemo, useRef, useState, type ReactNode } from 'react';
import { compileQuery } from '../../shared/logs/search.js';
import { useAnnounce } from '../common/Announcer.js';
import { ConnectionBadge } from '../common/ConnectionBadge.js';
import { ErrorBanner } from '../common/ErrorBanner.js';
import type { LogViewOptions } from './log-options.js';
import type { LineMatcher, SourceState } from './log-store.js';
import type { MatchPosition } from './match-index.js';
import { LogList, type LogListHandle } from './LogList.js';
import { LogSearchBar } from './LogSearchBar.js';
import { searchCountText } from './search-count.js';
import { connectSearchWorker } from './search-worker-client.js';
import { SourceLegend } from './SourceLegend.js';
import { Toggle } from './Toggle.js';
import { useLogSession } from './use-log-session.js';

interface LogViewerProps {
  /** Stream to open (null: not yet known, e.g. while the pod loads). Changing it starts a new stream. */
  initialPath: string | null;
  /** The same stream, resumed from `sinceTime` after a drop. */
  resumePath: (sinceTime: string) => string;
  options: LogViewOptions;
  onOptions: (changes: Partial<LogViewOptions>) => void;
  /** Controls that choose what is streamed (container, tail, since, previous, follow). */
  streamControls: ReactNode;
  /** Server download URL; without one, the lines held in the browser are saved instead. */
  downloadHref: string | null;
  downloadName: string;
  /** Merged stream: show each line's source and the colour legend. */
  merged: boolean;
}

const SEARCH_DEBOUNCE_MS = 200;

export function LogViewer(props: LogViewerProps) {
  const { initialPath, resumePath, options, onOptions, streamControls, downloadHref, downloadName, merged } =
    props;
  const { session, version } = useLogSession(initialPath, resumePath);
  const store = session?.store ?? null;
  const list = useRef<LogListHandle>(null);

  // Searches over all lines run in a worker, off the main thread (declared before the effect that sets
  // the search, so the worker is there when it runs).
  useEffect(() => (session ? connectSearchWorker(session) : undefined), [session]);

  // Search text: typed into `draft`, committed to the URL (and the index) after a pause or on Enter.
  const [draft, setDraft] = useState(options.q);
  const committedQuery = options.q;
  useEffect(() => {
    if (draft === committedQuery) return undefined;
    const timer = setTimeout(() => onOptions({ q: draft }), SEARCH_DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [draft, committedQuery, onOptions]);

  const { regex, caseSensitive } = options;
  const compiled = useMemo(() => {
    if (!committedQuery) return null;
    const result = compileQuery(committedQuery, { regex, caseSensitive });
    // With its spec, the worker can search the same way (the highlighting on screen uses the functions).
    return result.ok ? { ...result, spec: { query: committedQuery, regex, caseSensitive } } : result;
  }, [committedQuery, regex, caseSensitive]);
  const matcher: LineMatcher | null = compiled?.ok ? compiled : null;
  const searchError = compiled && !compiled.ok ? compiled.error : null;
  /** The search is still looking through the lines held when it started: its count is not final. */
  const searching = matcher !== null && (store?.searchPending ?? false);

  // The current match belongs to one search over one stream; a new either makes it stale.
  const [current, setCurrent] = useState<{
    matcher: LineMatcher;
    store: unknown;
    position: MatchPosition;
  } | null>(null);
  const currentPosition =
    current && current.matcher === matcher && current.store === store ? current.position : null;
  /** Navigation asked for before the typed query was committed; done once the index is rebuilt. */
  const pendingStep = useRef<number | null>(null);
  /** That navigation, for the search it waits for (whose index may still be filling, in the worker). */
  const stepWhenSearched = useRef<{ delta: number; matcher: LineMatcher | null } | null>(null);
  /**
   * A search the view has not moved to yet. As in a browser's find or in `less`, typing moves the view
   * to the first match (at or below the top line) without Enter — as soon as there is one, which for a
   * stream still arriving may be later.
   */
  const autoJump = useRef<LineMatcher | null>(null);

  const step = (delta: number): void => {
    if (!store || !matcher) return;
    const index = store.matches;
    const total = index.total;
    if (total === 0) return;
    const at = currentPosition ? index.ordinalOf(currentPosition) : null;
    let ordinal: number;
    if (at !== null) {
      ordinal = (at + delta + total) % total;
    } else {
      const top = list.current?.firstVisibleSeq() ?? 0;
      const first = index.ordinalAtOrAfter(top);
      ordinal = delta > 0 ? first % total : (first - 1 + total) % total;
    }
    const position = index.at(ordinal);
    if (!position) return;
    setCurrent({ matcher, store, position });
    list.current?.scrollToSeq(position.seq);
  };
  const stepAfterRebuild = useEffectEvent(step);

  useEffect(() => {
    if (!session) return;
    session.store.setSearch(matcher, options.filter);
    session.changed();
    if (pendingStep.current !== null) {
      stepWhenSearched.current = { delta: pendingStep.current, matcher };
      pendingStep.current = null;
      autoJump.current = null;
    } else {
      autoJump.current = matcher;
    }
  }, [session, matcher, options.filter]);

  // Once the search has looked through every line: the navigation asked for, or the jump to the first match.
  const afterSearch = useEffectEvent(() => {
    if (!store || store.searchPending) return;
    const asked = stepWhenSearched.current;
    if (asked !== null && asked.matcher === matcher) {
      stepWhenSearched.current = null;
      // Runs after this render commits, when the list sees the new index.
      requestAnimationFrame(() => stepAfterRebuild(asked.delta));
      return;
    }
    if (autoJump.current === null || autoJump.current !== matcher) return;
    if (currentPosition !== null) {
      autoJump.current = null;
      return;
    }
    if (store.matches.total === 0) return;
    autoJump.current = null;
    requestAnimationFrame(() => stepAfterRebuild(1));
  });
  useEffect(() => afterSearch(), [version, matcher]);

  const navigate = (delta: number): void => {
    if (draft !== committedQuery) {
      pendingStep.current = delta;
      onOptions({ q: draft });
      return;
    }
    step(delta);
  };

  const [jsonToggled, setJsonToggled] = useState<{ session: unknown; seqs: ReadonlySet<number> }>({
    session: null,
    seqs: new Set(),
  });
  const toggledSeqs = jsonToggled.session === session ? jsonToggled.seqs : EMPTY_SET;
  const onToggleJson = useMemo(
    () => (seq: number) =>
      setJsonToggled((prev) => {
        const seqs = new Set(prev.session === session ? prev.seqs : []);
        if (seqs.has(seq)) seqs.delete(seq);
        else seqs.add(seq);
        return { session, seqs };
      }),
    [session],
  );

  let countText = '';
  if (matcher && store) {
    const at = currentPosition ? store.matches.ordinalOf(currentPosition) : null;
    countText = searchCountText(store.matches.total, at, searching);
  }

  // Said once the search settles (typing paused, the view moved to a match), not at every line that
  // arrives: the count on screen changes with a live stream, the announcement does not.
  const announce = useAnnounce();
  const announceSearch = useEffectEvent(() => announce(searchError ?? countText));
  useEffect(() => {
    if (!matcher && !searchError) return undefined;
    const timer = setTimeout(() => announceSearch(), 600);
    return () => clearTimeout(timer);
  }, [matcher, searchError, currentPosition, searching]);

  const sources: SourceState[] = store ? [...store.sources.values()] : [];
  const dropped = store?.buffer.droppedCount ?? 0;
  const status = session?.status ?? { state: 'connecting' as const };
  const ended = store?.endedNotice != null;

  const saveHeldLines = (): void => {
    if (!store) return;
    const url = URL.createObjectURL(new Blob([store.toText(options.timestamps)], { type: 'text/plain' }));
    const a = document.createElement('a');
    a.href = url;
    a.download = downloadName;
    a.click();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  };

  let emptyText = 'Waiting for output…';
  if (store?.isFiltering) emptyText = searching ? 'Searching…' : 'No lines match the search.';
  else if (ended || status.state === 'closed') emptyText = 'No output.';

  return (
    <div
      className={`log-viewer${options.wrap ? ' wrap' : ''}`}
      data-testid="log-viewer"
      data-version={version}
    >
      <div className="toolbar">
        {streamControls}
        <Toggle
          label="Timestamps"
          pressed={options.timestamps}
          onChange={(timestamps) => onOptions({ timestamps })}
          testId="log-timestamps-toggle"
        />
        <Toggle
          label="Wrap"
          pressed={options.wrap}
          onChange={(wrap) => onOptions({ wrap })}
          testId="log-wrap-toggle"
        />
        <Toggle
          label="Pretty JSON"
          pressed={options.json}
          onChange={(json) => onOptions({ json })}
          testId="log-json-global-toggle"
          title="Pretty-print every JSON line (or use the {} button on a line)"
        />
        {downloadHref ? (
          <a className="btn" href={downloadHref} download={downloadName} data-testid="log-download">
            Download
          </a>
        ) : (
          <button type="button" className="btn" onClick={saveHeldLines} data-testid="log-download">
            Download
          </button>
        )}
        <ConnectionBadge status={status} ended={ended} />
      </div>
      <LogSearchBar
        draft={draft}
        onDraft={setDraft}
        regex={options.regex}
        caseSensitive={options.caseSensitive}
        filter={options.filter}
        onToggle={(option) => onOptions({ [option]: !options[option] })}
        countText={countText}
        error={searchError}
        onNext={() => navigate(1)}
        onPrevious={() => navigate(-1)}
      />
      {merged && <SourceLegend sources={sources} />}
      {merged && store?.sourcesNotice && (
        <div className="banner banner-warn" role="status" data-testid="log-sources-notice">
          {store.sourcesNotice.message}
        </div>
      )}
      {store?.error && <ErrorBanner message={store.error.message} />}
      {dropped > 0 && (
        <div className="banner banner-warn" role="status" data-testid="log-dropped-notice">
          Showing the newest {store?.buffer.length.toLocaleString()} lines — oldest {dropped.toLocaleString()}{' '}
          lines dropped.
        </div>
      )}
      {store ? (
        <LogList
          store={store}
          version={version}
          timestamps={options.timestamps}
          showSource={merged}
          json={options.json}
          wrap={options.wrap}
          matcher={matcher}
          current={currentPosition}
          jsonToggled={toggledSeqs}
          onToggleJson={onToggleJson}
          emptyText={emptyText}
          handle={list}
        />
      ) : (
        <div className="log-scroll">
          <div className="log-empty">Connecting…</div>
        </div>
      )}
    </div>
  );
}

const EMPTY_SET: ReadonlySet<number> = new Set();
