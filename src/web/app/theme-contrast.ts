// The colour contract of the theme: which token is drawn on which, and the WCAG 2.2 contrast each pair
// must reach (1.4.3: 4.5:1 for text; 1.4.11: 3:1 for focus rings and control borders). axe-core sees only
// the colours on screen in a test; this checks every pair the stylesheet can produce, in both themes. Pure.

export type Tokens = ReadonlyMap<string, string>;

interface Rgba {
  r: number;
  g: number;
  b: number;
  a: number;
}

/** #rgb, #rrggbb, rgb(r, g, b) and rgba(r, g, b, a); null for anything else. */
export function parseColor(value: string): Rgba | null {
  const v = value.trim().toLowerCase();
  const hex = /^#([0-9a-f]{3}|[0-9a-f]{6})$/.exec(v);
  if (hex) {
    const h = hex[1] ?? '';
    const full = h.length === 3 ? [...h].map((c) => c + c).join('') : h;
    return {
      r: parseInt(full.slice(0, 2), 16),
      g: parseInt(full.slice(2, 4), 16),
      b: parseInt(full.slice(4, 6), 16),
      a: 1,
    };
  }
  const fn = /^rgba?\(\s*([\d.]+)\s*,\s*([\d.]+)\s*,\s*([\d.]+)\s*(?:,\s*([\d.]+)\s*)?\)$/.exec(v);
  if (fn) {
    return {
      r: Number(fn[1]),
      g: Number(fn[2]),
      b: Number(fn[3]),
      a: fn[4] === undefined ? 1 : Number(fn[4]),
    };
  }
  return null;
}

/** A translucent colour painted over an opaque one. */
export function composite(top: Rgba, under: Rgba): Rgba {
  const mix = (t: number, u: number): number => t * top.a + u * (1 - top.a);
  return { r: mix(top.r, under.r), g: mix(top.g, under.g), b: mix(top.b, under.b), a: 1 };
}

function luminance({ r, g, b }: Rgba): number {
  const channel = (c: number): number => {
    const s = c / 255;
    return s <= 0.04045 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
}

/** WCAG contrast ratio of two opaque colours, 1 to 21. */
export function contrastRatio(a: Rgba, b: Rgba): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
}

/**
 * The custom properties declared in the first rule whose selector is exactly `selector` (inside an
 * at-rule or not). Comments are ignored.
 */
export function tokensOf(css: string, selector: string): Map<string, string> {
  const text = css.replace(/\/\*[\s\S]*?\*\//g, '');
  const at = text.indexOf(`${selector} {`);
  if (at < 0) throw new Error(`no rule "${selector}" in the stylesheet`);
  const start = text.indexOf('{', at) + 1;
  const body = text.slice(start, text.indexOf('}', start));
  const tokens = new Map<string, string>();
  for (const m of body.matchAll(/(--[\w-]+)\s*:\s*([^;]+);/g)) tokens.set(m[1] ?? '', (m[2] ?? '').trim());
  return tokens;
}

/** Light tokens are the base; a dark rule overrides some of them. */
export function withOverrides(base: Tokens, overrides: Tokens): Map<string, string> {
  return new Map([...base, ...overrides]);
}

const ANSI_NAMES = ['black', 'red', 'green', 'yellow', 'blue', 'magenta', 'cyan', 'white'];
const ANSI_FG = [...ANSI_NAMES, ...ANSI_NAMES.map((n) => `bright-${n}`)].map((n) => `--ansi-${n}`);
const SOURCE_FG = Array.from({ length: 12 }, (_, i) => `--src-${i}`);

/** Opaque surfaces text is drawn on: the page, raised parts (header, table heads), hovered and selected rows. */
const SURFACES = ['--bg', '--bg-elev', '--bg-hover', '--bg-selected'];
/**
 * Tints (translucent in the dark theme) for banners, problem rows, error/warning log lines and markers,
 * and what they are painted over: the page, a raised part, the log. A hovered or selected row replaces
 * its tint rather than adding to it.
 */
const TINTS = ['--danger-bg', '--warn-bg', '--ok-bg', '--marker-bg'];
const TINTED = ['--bg', '--bg-elev'];
/** Text colours of the UI: body, secondary, links, status tones. */
const UI_TEXT = ['--fg', '--muted', '--accent', '--danger', '--warn', '--ok', '--marker-fg'];
/** Text colours inside the log viewer and the terminal. */
const LOG_TEXT = ['--log-fg', '--muted', '--danger', '--marker-fg', ...ANSI_FG, ...SOURCE_FG];

export interface ContrastCheck {
  fg: string;
  bg: string;
  /** Where the background is a tint: what it was painted over. */
  over?: string;
  min: number;
}

function pairs(fgs: readonly string[], surfaces: readonly string[], tinted: readonly string[], min: number) {
  const checks: ContrastCheck[] = [];
  for (const fg of fgs) {
    for (const bg of surfaces) checks.push({ fg, bg, min });
    for (const over of tinted) for (const tint of TINTS) checks.push({ fg, bg: tint, over, min });
  }
  return checks;
}

/** Every foreground/background pair the stylesheet draws, with the ratio it must reach. */
export const CONTRAST_CHECKS: readonly ContrastCheck[] = [
  ...pairs(UI_TEXT, SURFACES, TINTED, 4.5),
  ...pairs(LOG_TEXT, ['--log-bg'], ['--log-bg'], 4.5),
  { fg: '--match-fg', bg: '--match-bg', min: 4.5 },
  { fg: '--match-current-fg', bg: '--match-current-bg', min: 4.5 },
  { fg: '--on-primary', bg: '--primary-bg', min: 4.5 },
  { fg: '--on-primary', bg: '--primary-hover-bg', min: 4.5 },
  // 1.4.11 non-text contrast: the focus ring against anything it is drawn on, and the border that
  // shows where a text field or a select is.
  ...pairs(['--focus'], [...SURFACES, '--log-bg'], [...TINTED, '--log-bg'], 3),
  ...pairs(['--control-border'], ['--bg', '--bg-elev'], [], 3),
];

export interface ContrastFailure extends ContrastCheck {
  ratio: number;
}

/** The checks a theme fails (a missing or unreadable token is a failure with ratio 0). */
export function contrastFailures(tokens: Tokens, checks = CONTRAST_CHECKS): ContrastFailure[] {
  const color = (name: string): Rgba | null => parseColor(tokens.get(name) ?? '');
  const failures: ContrastFailure[] = [];
  for (const check of checks) {
    const fg = color(check.fg);
    let bg = color(check.bg);
    if (check.over !== undefined) {
      const under = color(check.over);
      bg = bg && under ? composite(bg, under) : null;
    }
    // A translucent foreground would depend on what is beneath: the contract wants opaque ones.
    if (!fg || !bg || fg.a !== 1 || bg.a !== 1) {
      failures.push({ ...check, ratio: 0 });
      continue;
    }
    const ratio = contrastRatio(fg, bg);
    if (ratio < check.min) failures.push({ ...check, ratio });
  }
  return failures;
}

export function describeFailure(f: ContrastFailure): string {
  const bg = f.over ? `${f.bg} over ${f.over}` : f.bg;
  return `${f.fg} on ${bg}: ${f.ratio.toFixed(2)}:1, needs ${f.min}:1`;
}
