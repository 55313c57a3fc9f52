// Turns an ANSI-styled piece of a log line into a CSS class list and inline colours. Log content
// only ever becomes text nodes and these known class names or validated #rrggbb colours. Pure.

import type { AnsiStyle } from '../../shared/logs/ansi.js';

export interface AnsiCss {
  className: string;
  color?: string;
  backgroundColor?: string;
}

const PALETTE = /^(?:bright-)?(?:black|red|green|yellow|blue|magenta|cyan|white)$/;
const HEX = /^#[0-9a-fA-F]{6}$/;

type Colour = { kind: 'palette'; name: string } | { kind: 'hex'; value: string } | null;

function readColour(value: string | undefined): Colour {
  if (!value) return null;
  if (PALETTE.test(value)) return { kind: 'palette', name: value };
  if (HEX.test(value)) return { kind: 'hex', value };
  return null;
}

export function ansiCss(style: AnsiStyle): AnsiCss {
  let fg = readColour(style.fg);
  let bg = readColour(style.bg);
  const classes: string[] = [];
  if (style.inverse) {
    [fg, bg] = [bg, fg];
    // With a default colour on either side, swap to the theme's own foreground/background.
    if (!fg) classes.push('ansi-fg-inverse');
    if (!bg) classes.push('ansi-bg-inverse');
  }
  const css: AnsiCss = { className: '' };
  if (fg?.kind === 'palette') classes.push(`ansi-fg-${fg.name}`);
  else if (fg?.kind === 'hex') css.color = fg.value;
  if (bg?.kind === 'palette') classes.push(`ansi-bg-${bg.name}`);
  else if (bg?.kind === 'hex') css.backgroundColor = bg.value;
  if (style.bold) classes.push('ansi-bold');
  if (style.dim) classes.push('ansi-dim');
  if (style.italic) classes.push('ansi-italic');
  if (style.underline) classes.push('ansi-underline');
  css.className = classes.join(' ');
  return css;
}
