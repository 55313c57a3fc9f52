import { useEffect, useEffectEvent, useRef } from 'react';
import { KEYBOARD_SHORTCUTS } from './keyboard-shortcuts.js';
import { isPlainKey, isTypingTarget } from './keyboard.js';

/**
 * The keyboard shortcuts, from the header button or "?" anywhere outside a text field. A modal
 * <dialog>: the browser keeps the focus inside, Esc closes it, and the focus goes back where it was.
 */
export function ShortcutsDialog() {
  const dialog = useRef<HTMLDialogElement>(null);
  const open = (): void => {
    if (!dialog.current?.open) dialog.current?.showModal();
  };

  const onKey = useEffectEvent((event: KeyboardEvent) => {
    if (event.key === '?' && isPlainKey(event) && !isTypingTarget(event.target)) {
      event.preventDefault();
      open();
    }
  });
  useEffect(() => {
    const listener = (event: KeyboardEvent): void => onKey(event);
    document.addEventListener('keydown', listener);
    return () => document.removeEventListener('keydown', listener);
  }, []);

  return (
    <>
      <button
        type="button"
        className="btn btn-ghost"
        onClick={open}
        title="Keyboard shortcuts (?)"
        aria-keyshortcuts="?"
        data-testid="shortcuts-open"
      >
        Keys
      </button>
      <dialog
        ref={dialog}
        className="shortcuts-dialog"
        aria-labelledby="shortcuts-title"
        data-testid="shortcuts-dialog"
      >
        <div className="shortcuts-head">
          <h2 id="shortcuts-title">Keyboard shortcuts</h2>
          <button
            type="button"
            className="btn"
            onClick={() => dialog.current?.close()}
            data-testid="shortcuts-close"
          >
            Close
          </button>
        </div>
        {KEYBOARD_SHORTCUTS.map((group, n) => (
          <section key={group.where} aria-labelledby={`shortcuts-group-${n}`}>
            <h3 id={`shortcuts-group-${n}`}>{group.where}</h3>
            <dl className="shortcuts-list">
              {group.shortcuts.map((s) => (
                <div key={s.action}>
                  <dt>
                    {s.keys.map((key, i) => (
                      <span key={key}>
                        {i > 0 && '+'}
                        <kbd>{key}</kbd>
                      </span>
                    ))}
                  </dt>
                  <dd>{s.action}</dd>
                </div>
              ))}
            </dl>
          </section>
        ))}
      </dialog>
    </>
  );
}
