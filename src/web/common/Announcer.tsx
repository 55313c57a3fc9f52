import { createContext, useCallback, useContext, useState, type ReactNode } from 'react';

type Announce = (message: string) => void;

const AnnounceContext = createContext<Announce>(() => undefined);

/**
 * One polite live region for the whole app, in the page from the start: screen readers announce what
 * is put into a live region that already exists, not one inserted together with its text. Components
 * call `useAnnounce()` for what changes on its own (a pod starts failing, an upload finished, the
 * search found N matches).
 */
export function AnnouncerProvider({ children }: { children: ReactNode }) {
  const [message, setMessage] = useState({ text: '', serial: 0 });
  const announce = useCallback<Announce>(
    (text) => setMessage((prev) => ({ text, serial: prev.serial + 1 })),
    [],
  );
  return (
    <AnnounceContext.Provider value={announce}>
      {children}
      <div className="visually-hidden" role="status" aria-live="polite" data-testid="announcer">
        {/* A new element per message, so the same sentence twice is announced twice. */}
        {message.text && <span key={message.serial}>{message.text}</span>}
      </div>
    </AnnounceContext.Provider>
  );
}

export function useAnnounce(): Announce {
  return useContext(AnnounceContext);
}
