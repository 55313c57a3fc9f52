// ANSI escape handling for log lines. The result is plain data (text + style tokens), never HTML, so the
// viewer renders it through text nodes and no log line can inject markup.

export interface AnsiStyle {
  /** A palette name ('red', 'bright-blue') or '#rrggbb'. */
  fg?: string;
  bg?: string;
  bold?: boolean;
  dim?: boolean;
  italic?: boolean;
  underline?: boolean;
  inverse?: boolean;
}

export interface AnsiSegment extends AnsiStyle {
  text: string;
}

const ESC = '\u001b';
const BEL = '\u0007';
const NAMES = ['black', 'red', 'green', 'yellow', 'blue', 'magenta', 'cyan', 'white'] as const;

/** The 16 basic colours are palette names (the UI theme decides their shade); the rest are hex. */
export function paletteColor(index: number): string {
  if (index < 8) return NAMES[index]!;
  if (index < 16) return `bright-${NAMES[index - 8]!}`;
  if (index < 232) {
    const levels = [0, 95, 135, 175, 215, 255];
    const n = index - 16;
    return hex(levels[Math.floor(n / 36)]!, levels[Math.floor(n / 6) % 6]!, levels[n % 6]!);
  }
  const gray = 8 + 10 * (index - 232);
  return hex(gray, gray, gray);
}

function hex(r: number, g: number, b: number): string {
  return '#' + [r, g, b].map((v) => v.toString(16).padStart(2, '0')).join('');
}

export function parseAnsi(text: string): AnsiSegment[] {
  const segments: AnsiSegment[] = [];
  let style: AnsiStyle = {};
  let plain = '';
  const emit = () => {
    if (plain === '') return;
    const last = segments[segments.length - 1];
    if (last && sameStyle(last, style)) last.text += plain;
    else segments.push({ text: plain, ...style });
    plain = '';
  };

  let i = 0;
  while (i < text.length) {
    const ch = text[i]!;
    if (ch !== ESC) {
      // Other control characters render as nothing (or as boxes) and would only confuse search.
      if (!isStrippedControl(ch.charCodeAt(0))) plain += ch;
      i++;
      continue;
    }
    const next = text[i + 1];
    if (next === '[') {
      const end = findCsiEnd(text, i + 2);
      if (end === -1) break; // an unfinished sequence at the end of the line: drop it
      if (text[end] === 'm') {
        const params = text.slice(i + 2, end);
        // Private-mode sequences (ESC [ ? … m, ESC [ > … m) are not SGR.
        if (/^[\d;:]*$/.test(params)) {
          emit();
          style = applySgr(style, params);
        }
      }
      i = end + 1;
    } else if (next === ']' || next === 'P' || next === 'X' || next === '^' || next === '_') {
      // OSC (titles, hyperlinks), DCS, SOS, PM, APC: a string terminated by BEL (OSC only) or ST.
      i = findStringEnd(text, i + 2, next === ']');
    } else if (next === undefined) {
      i++;
    } else {
      // Two-or-more-byte escapes: ESC, optional intermediates (0x20–0x2F), one final byte.
      let j = i + 1;
      while (j < text.length && isIntermediate(text.charCodeAt(j))) j++;
      i = j + 1;
    }
  }
  emit();
  return segments;
}

export function stripAnsi(text: string): string {
  // Fast path: most lines carry no escapes or control characters at all.
  if (!/[\u0000-\u0008\u000a-\u001f\u007f]/.test(text)) return text;
  return parseAnsi(text)
    .map((s) => s.text)
    .join('');
}

function isStrippedControl(code: number): boolean {
  return (code < 0x20 && code !== 0x09) || code === 0x7f;
}

function isIntermediate(code: number): boolean {
  return code >= 0x20 && code <= 0x2f;
}

/** Index of a CSI sequence's final byte (0x40–0x7E), or -1 if the text ends first. */
function findCsiEnd(text: string, from: number): number {
  for (let j = from; j < text.length; j++) {
    const code = text.charCodeAt(j);
    if (code >= 0x40 && code <= 0x7e) return j;
    if (code < 0x20 || code > 0x7e) return j - 1; // malformed: stop here and show what follows
  }
  return -1;
}

/** Index just past the terminator of an OSC/DCS-style string; the end of the text if unterminated. */
function findStringEnd(text: string, from: number, belTerminates: boolean): number {
  for (let j = from; j < text.length; j++) {
    if (belTerminates && text[j] === BEL) return j + 1;
    if (text[j] === ESC && text[j + 1] === '\\') return j + 2;
  }
  return text.length;
}

function sameStyle(a: AnsiStyle, b: AnsiStyle): boolean {
  return (
    a.fg === b.fg &&
    a.bg === b.bg &&
    a.bold === b.bold &&
    a.dim === b.dim &&
    a.italic === b.italic &&
    a.underline === b.underline &&
    a.inverse === b.inverse
  );
}

function applySgr(current: AnsiStyle, params: string): AnsiStyle {
  const style: AnsiStyle = { ...current };
  // '' means 0. Colon sub-parameters (38:2::r:g:b) arrive as one group; semicolon forms span several.
  const groups = params === '' ? ['0'] : params.split(';');
  for (let k = 0; k < groups.length; k++) {
    const group = groups[k]!;
    if (group.includes(':')) {
      const [code, ...sub] = group.split(':').map((p) => (p === '' ? 0 : Number(p)));
      if (code === 38 || code === 48) {
        // 38:2:<colorspace>:r:g:b has an (often empty) colour-space id; 38:2:r:g:b omits it.
        const rgb = sub[0] === 2 && sub.length >= 5 ? sub.slice(-3) : sub.slice(1);
        const color = extendedColor(sub[0], rgb);
        if (color) style[code === 38 ? 'fg' : 'bg'] = color;
      } else if (code === 4) {
        setFlag(style, 'underline', sub[0] !== 0);
      }
      continue;
    }
    const code = group === '' ? 0 : Number(group);
    if (code === 38 || code === 48) {
      const mode = Number(groups[k + 1]);
      const argCount = mode === 5 ? 1 : mode === 2 ? 3 : 0;
      const args = groups.slice(k + 2, k + 2 + argCount).map(Number);
      const color = extendedColor(mode, args);
      if (color) style[code === 38 ? 'fg' : 'bg'] = color;
      k += 1 + argCount;
      continue;
    }
    applyCode(style, code);
  }
  return style;
}

function extendedColor(mode: number | undefined, args: number[]): string | null {
  const valid = (n: number | undefined, max: number) =>
    n !== undefined && Number.isInteger(n) && n >= 0 && n <= max;
  if (mode === 5 && valid(args[0], 255)) return paletteColor(args[0]!);
  if (mode === 2 && args.length === 3 && args.every((n) => valid(n, 255)))
    return hex(args[0]!, args[1]!, args[2]!);
  return null;
}

function applyCode(style: AnsiStyle, code: number): void {
  if (code === 0) {
    for (const key of Object.keys(style) as (keyof AnsiStyle)[]) delete style[key];
  } else if (code === 1) setFlag(style, 'bold', true);
  else if (code === 2) setFlag(style, 'dim', true);
  else if (code === 3) setFlag(style, 'italic', true);
  else if (code === 4) setFlag(style, 'underline', true);
  else if (code === 7) setFlag(style, 'inverse', true);
  else if (code === 22) {
    setFlag(style, 'bold', false);
    setFlag(style, 'dim', false);
  } else if (code === 23) setFlag(style, 'italic', false);
  else if (code === 24) setFlag(style, 'underline', false);
  else if (code === 27) setFlag(style, 'inverse', false);
  else if (code >= 30 && code <= 37) style.fg = paletteColor(code - 30);
  else if (code === 39) delete style.fg;
  else if (code >= 40 && code <= 47) style.bg = paletteColor(code - 40);
  else if (code === 49) delete style.bg;
  else if (code >= 90 && code <= 97) style.fg = paletteColor(code - 90 + 8);
  else if (code >= 100 && code <= 107) style.bg = paletteColor(code - 100 + 8);
  // Anything else (blink, strike-through, fonts…) is ignored on purpose.
}

type Flag = 'bold' | 'dim' | 'italic' | 'underline' | 'inverse';

// Flags are present only when on, so equal styles compare equal and segments stay small.
function setFlag(style: AnsiStyle, flag: Flag, on: boolean): void {
  if (on) style[flag] = true;
  else delete style[flag];
}
