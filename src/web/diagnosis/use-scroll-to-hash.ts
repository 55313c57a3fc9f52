import { useEffect } from 'react';
import { useLocation } from 'react-router-dom';

/**
 * Scrolls to (and focuses) the element the URL's #hash names once it appears — a tab renders its content
 * after loading, so the element may come a moment after the navigation.
 */
export function useScrollToHash(): void {
  const { hash, search } = useLocation();
  useEffect(() => {
    const id = decodeURIComponent(hash.slice(1));
    if (!id) return undefined;
    let frame = 0;
    const deadline = Date.now() + 5000;
    const look = (): void => {
      const el = document.getElementById(id);
      if (el) {
        el.scrollIntoView({ block: 'center' });
        if (!el.hasAttribute('tabindex')) el.setAttribute('tabindex', '-1');
        el.focus({ preventScroll: true });
        return;
      }
      if (Date.now() < deadline) frame = requestAnimationFrame(look);
    };
    frame = requestAnimationFrame(look);
    return () => cancelAnimationFrame(frame);
  }, [hash, search]);
}
