import { useEffect } from 'react';

/** Names the browser tab after the page (WCAG 2.4.2), so a screen reader says where a link went. */
export function useDocumentTitle(title: string): void {
  useEffect(() => {
    document.title = title ? `${title} — Podscope` : 'Podscope';
  }, [title]);
}
