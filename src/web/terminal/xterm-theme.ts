// The terminal's colours come from the app's CSS variables, so it follows the light/dark theme.

import type { ITheme } from '@xterm/xterm';

const ANSI: [keyof ITheme, string][] = [
  ['black', '--ansi-black'],
  ['red', '--ansi-red'],
  ['green', '--ansi-green'],
  ['yellow', '--ansi-yellow'],
  ['blue', '--ansi-blue'],
  ['magenta', '--ansi-magenta'],
  ['cyan', '--ansi-cyan'],
  ['white', '--ansi-white'],
  ['brightBlack', '--ansi-bright-black'],
  ['brightRed', '--ansi-bright-red'],
  ['brightGreen', '--ansi-bright-green'],
  ['brightYellow', '--ansi-bright-yellow'],
  ['brightBlue', '--ansi-bright-blue'],
  ['brightMagenta', '--ansi-bright-magenta'],
  ['brightCyan', '--ansi-bright-cyan'],
  ['brightWhite', '--ansi-bright-white'],
];

export function readTerminalTheme(): ITheme {
  const css = getComputedStyle(document.documentElement);
  const v = (name: string): string | undefined => css.getPropertyValue(name).trim() || undefined;
  const theme: ITheme = {
    background: v('--log-bg'),
    foreground: v('--log-fg'),
    cursor: v('--log-fg'),
    selectionBackground: v('--match-bg'),
    selectionForeground: v('--match-fg'),
  };
  for (const [key, name] of ANSI) (theme as Record<string, string | undefined>)[key] = v(name);
  return theme;
}

/** Calls `onChange` when the theme changes (the user's choice on <html>, or the system's). */
export function watchTheme(onChange: () => void): () => void {
  const observer = new MutationObserver(onChange);
  observer.observe(document.documentElement, { attributes: true, attributeFilter: ['data-theme'] });
  const media = window.matchMedia('(prefers-color-scheme: dark)');
  media.addEventListener('change', onChange);
  return () => {
    observer.disconnect();
    media.removeEventListener('change', onChange);
  };
}
