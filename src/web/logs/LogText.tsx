import type { ReactNode } from 'react';
import { parseAnsi, type AnsiSegment } from '../../shared/logs/ansi.js';
import { ansiCss } from './ansi-style.js';
import { splitByRanges } from './highlight.js';
import type { LineMatcher } from './log-store.js';

interface LogTextProps {
  /** Text to show; ANSI escapes in it become styled spans. */
  text: string;
  /** The same text without escapes (what the matcher's offsets refer to). */
  plain: string;
  matcher: LineMatcher | null;
  /** Which match on this line is the current one (null: none). */
  currentNth: number | null;
}

function segmentsOf(text: string, plain: string): AnsiSegment[] {
  return text === plain ? [{ text }] : parseAnsi(text);
}

/**
 * A log line as React text nodes: ANSI styles become class names or validated colours, search matches
 * become <mark>s. Log content never reaches innerHTML, so it cannot inject markup.
 */
export function LogText({ text, plain, matcher, currentNth }: LogTextProps) {
  const ranges = matcher ? matcher.matches(plain) : [];
  if (ranges.length === 0 && text === plain) return <span className="log-text">{plain}</span>;
  const segments = segmentsOf(text, plain);
  const children: ReactNode[] = [];
  const pieces = splitByRanges(segments, ranges);
  for (let i = 0; i < pieces.length; i++) {
    const piece = pieces[i]!;
    const css = ansiCss(segments[piece.piece]!);
    const style =
      css.color || css.backgroundColor
        ? { color: css.color, backgroundColor: css.backgroundColor }
        : undefined;
    if (piece.match !== null) {
      const current = piece.match === currentNth;
      children.push(
        <mark
          key={i}
          className={`log-match${current ? ' current' : ''}${css.className ? ` ${css.className}` : ''}`}
          data-testid="log-match"
          data-current={current ? 'true' : undefined}
        >
          {piece.text}
        </mark>,
      );
    } else if (css.className || style) {
      children.push(
        <span key={i} className={css.className || undefined} style={style}>
          {piece.text}
        </span>,
      );
    } else {
      children.push(piece.text);
    }
  }
  return <span className="log-text">{children}</span>;
}
