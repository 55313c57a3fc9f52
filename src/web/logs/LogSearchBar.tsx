import { useEffect, useEffectEvent, useId, useRef } from 'react';
import { isPlainKey, isTypingTarget } from '../common/keyboard.js';

interface LogSearchBarProps {
  draft: string;
  onDraft: (value: string) => void;
  regex: boolean;
  caseSensitive: boolean;
  filter: boolean;
  onToggle: (option: 'regex' | 'caseSensitive' | 'filter') => void;
  countText: string;
  error: string | null;
  onNext: () => void;
  onPrevious: () => void;
}

export function LogSearchBar(props: LogSearchBarProps) {
  const { draft, onDraft, regex, caseSensitive, filter, onToggle, countText, error, onNext, onPrevious } =
    props;
  const input = useRef<HTMLInputElement>(null);
  const countId = useId();

  // "/" anywhere on the page (outside a text field) jumps to the search box.
  const onKey = useEffectEvent((event: KeyboardEvent) => {
    if (event.key === '/' && isPlainKey(event) && !isTypingTarget(event.target)) {
      event.preventDefault();
      input.current?.focus();
      input.current?.select();
    }
  });
  useEffect(() => {
    const listener = (event: KeyboardEvent): void => onKey(event);
    document.addEventListener('keydown', listener);
    return () => document.removeEventListener('keydown', listener);
  }, []);

  return (
    <div className="toolbar" role="search">
      <input
        ref={input}
        type="search"
        placeholder={regex ? 'Search (regular expression)' : 'Search logs (press /)'}
        aria-label="Search logs"
        aria-describedby={countId}
        aria-keyshortcuts="/"
        aria-invalid={error !== null}
        className={error ? 'invalid' : undefined}
        value={draft}
        size={36}
        onChange={(e) => onDraft(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'Enter') {
            e.preventDefault();
            if (e.shiftKey) onPrevious();
            else onNext();
          } else if (e.key === 'Escape') {
            if (draft) onDraft('');
            else input.current?.blur();
          }
        }}
        data-testid="log-search"
      />
      <span id={countId} className={`search-count${error ? ' error' : ''}`} data-testid="log-search-count">
        {error ?? countText}
      </span>
      <button
        type="button"
        className="btn btn-small"
        onClick={onPrevious}
        title="Previous match (Shift+Enter)"
        aria-label="Previous match"
        data-testid="log-search-previous"
      >
        ↑
      </button>
      <button
        type="button"
        className="btn btn-small"
        onClick={onNext}
        title="Next match (Enter)"
        aria-label="Next match"
        data-testid="log-search-next"
      >
        ↓
      </button>
      <button
        type="button"
        className="btn btn-small"
        aria-pressed={caseSensitive}
        onClick={() => onToggle('caseSensitive')}
        title="Match case"
        aria-label="Match case"
        data-testid="log-search-case"
      >
        Aa
      </button>
      <button
        type="button"
        className="btn btn-small"
        aria-pressed={regex}
        onClick={() => onToggle('regex')}
        title="Regular expression"
        aria-label="Regular expression"
        data-testid="log-search-regex"
      >
        .*
      </button>
      <button
        type="button"
        className="btn btn-small"
        aria-pressed={filter}
        onClick={() => onToggle('filter')}
        title="Show only lines that match"
        data-testid="log-filter-toggle"
      >
        Filter: only matching lines
      </button>
    </div>
  );
}
