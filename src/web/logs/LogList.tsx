import {
  useCallback,
  useEffect,
  useImperativeHandle,
  useLayoutEffect,
  useMemo,
  useRef,
  useState,
  type Ref,
} from 'react';
import { useVirtualizer } from '@tanstack/react-virtual';
import type { LineMatcher, LogStore } from './log-store.js';
import type { MatchPosition } from './match-index.js';
import { LogRow, type LogRowDisplay } from './LogRow.js';
import { sourceKey } from './source-colors.js';

export interface LogListHandle {
  /** Scrolls the row with this sequence number into the middle of the view (pauses auto-scroll). */
  scrollToSeq(seq: number): void;
  /** Sequence number of the first row on screen, or null when the list is empty. */
  firstVisibleSeq(): number | null;
}

interface LogListProps {
  store: LogStore;
  /** Changes whenever the store changed (the store itself is mutable). */
  version: number;
  timestamps: boolean;
  showSource: boolean;
  json: boolean;
  wrap: boolean;
  matcher: LineMatcher | null;
  current: MatchPosition | null;
  jsonToggled: ReadonlySet<number>;
  onToggleJson: (seq: number) => void;
  emptyText: string;
  handle: Ref<LogListHandle>;
}

const ROW_HEIGHT = 18;
const estimateSize = (): number => ROW_HEIGHT;

export function LogList(props: LogListProps) {
  const { store, version, timestamps, showSource, json, wrap, matcher, current, jsonToggled, onToggleJson } =
    props;
  const { emptyText, handle } = props;
  const scrollRef = useRef<HTMLDivElement>(null);
  /** Follow the newest line; false once the user scrolls away from the bottom. */
  const stick = useRef(true);
  const dragging = useRef(false);
  const [atBottom, setAtBottom] = useState(true);
  const fixedHeight = !wrap && !json && jsonToggled.size === 0;

  const count = store.viewLength;
  const virtualizer = useVirtualizer({
    count,
    getScrollElement: () => scrollRef.current,
    estimateSize,
    getItemKey: store.keyOf,
    overscan: 25,
  });

  // Sizes measured in one layout mean nothing in another.
  useEffect(() => {
    virtualizer.measure();
  }, [virtualizer, wrap, json, timestamps, fixedHeight]);

  const totalSize = virtualizer.getTotalSize();
  useLayoutEffect(() => {
    const el = scrollRef.current;
    if (el && stick.current) el.scrollTop = el.scrollHeight;
  }, [totalSize, count, version]);

  const setStick = useCallback((value: boolean) => {
    stick.current = value;
    setAtBottom(value);
  }, []);

  useImperativeHandle(
    handle,
    () => ({
      scrollToSeq(seq) {
        const index = store.viewIndexOfSeq(seq);
        if (index === null) return;
        setStick(false);
        virtualizer.scrollToIndex(index, { align: 'center' });
      },
      firstVisibleSeq() {
        const el = scrollRef.current;
        const top = el ? el.scrollTop : 0;
        const first = virtualizer.getVirtualItems().find((item) => item.end > top);
        return first ? (store.viewGet(first.index)?.seq ?? null) : null;
      },
    }),
    [store, virtualizer, setStick],
  );

  const onScroll = (): void => {
    const el = scrollRef.current;
    if (!el) return;
    const bottom = el.scrollHeight - el.scrollTop - el.clientHeight < ROW_HEIGHT;
    const next = bottom && !dragging.current;
    if (next !== stick.current) setStick(next);
  };

  const jumpToLatest = (): void => {
    setStick(true);
    const el = scrollRef.current;
    if (el) el.scrollTop = el.scrollHeight;
  };

  const rowDisplay = useMemo<LogRowDisplay>(
    () => ({ timestamps, showSource, json, fixedHeight }),
    [timestamps, showSource, json, fixedHeight],
  );
  const measureRef = fixedHeight ? undefined : virtualizer.measureElement;

  return (
    <div className="log-frame">
      <div
        ref={scrollRef}
        className="log-scroll"
        tabIndex={0}
        role="log"
        aria-label="Container output"
        aria-live="off"
        data-testid="log-scroll"
        onScroll={onScroll}
        onWheel={(e) => {
          // Act on intent at once: a frame of new lines could otherwise snap the view back down.
          if (e.deltaY < 0 && stick.current) setStick(false);
        }}
        onKeyDown={(e) => {
          if (['ArrowUp', 'PageUp', 'Home'].includes(e.key) && stick.current) setStick(false);
          if (e.key === 'End') jumpToLatest();
        }}
        onPointerDown={(e) => {
          if (e.target === scrollRef.current) {
            dragging.current = true;
            setStick(false);
          }
        }}
        onPointerUp={() => {
          dragging.current = false;
          onScroll();
        }}
      >
        {count === 0 ? (
          <div className="log-empty">{emptyText}</div>
        ) : (
          <div className="log-inner" style={{ height: totalSize }}>
            {virtualizer.getVirtualItems().map((item) => {
              const entry = store.viewGet(item.index);
              if (!entry) return null;
              const source =
                entry.kind === 'line' && entry.source
                  ? store.sources.get(sourceKey(entry.source))
                  : undefined;
              return (
                <LogRow
                  key={item.key}
                  entry={entry}
                  index={item.index}
                  start={item.start}
                  display={rowDisplay}
                  matcher={matcher}
                  currentNth={current && current.seq === entry.seq ? current.nth : null}
                  jsonToggled={jsonToggled.has(entry.seq)}
                  onToggleJson={onToggleJson}
                  sourceColor={source?.color ?? null}
                  measureRef={measureRef}
                />
              );
            })}
          </div>
        )}
      </div>
      {!atBottom && count > 0 && (
        <button
          type="button"
          className="btn btn-primary jump-latest"
          onClick={jumpToLatest}
          data-testid="log-jump-latest"
        >
          ↓ Jump to latest
        </button>
      )}
    </div>
  );
}
