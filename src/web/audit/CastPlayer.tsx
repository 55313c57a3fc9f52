import 'asciinema-player/dist/bundle/asciinema-player.css';
import { useEffect, useEffectEvent, useRef, useState } from 'react';
import type { Player } from 'asciinema-player';

interface CastPlayerProps {
  /** Same-origin URL of an asciicast v2 file. */
  url: string;
  /** The player once it exists (null when it goes), so the page can seek to a command. */
  onPlayer?: (player: Player | null) => void;
}

/**
 * Replays a session recording with asciinema-player. The player (and its Solid.js runtime) is loaded
 * only when a replay is shown, so it costs nothing on the other pages.
 */
export function CastPlayer({ url, onPlayer }: CastPlayerProps) {
  const ref = useRef<HTMLDivElement>(null);
  const [error, setError] = useState<string | null>(null);
  const announce = useEffectEvent((player: Player | null) => onPlayer?.(player));
  useEffect(() => {
    const element = ref.current;
    if (!element) return undefined;
    let player: Player | null = null;
    let cancelled = false;
    import('asciinema-player').then(
      (asciinema) => {
        if (cancelled) return;
        player = asciinema.create({ url, parser: 'asciicast' }, element, {
          fit: 'width',
          idleTimeLimit: 2,
          preload: true,
          terminalFontFamily: getComputedStyle(element).getPropertyValue('--font-mono').trim() || undefined,
        });
        announce(player);
      },
      () => {
        if (!cancelled) setError('The replay player could not be loaded. Download the recording instead.');
      },
    );
    return () => {
      cancelled = true;
      announce(null);
      player?.dispose();
      element.replaceChildren();
    };
  }, [url]);
  return (
    <>
      {error && (
        <div className="banner banner-error" role="alert">
          {error}
        </div>
      )}
      <div className="cast-player" ref={ref} data-testid="audit-replay" />
    </>
  );
}
