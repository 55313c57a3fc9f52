// Terminal copy/paste shortcuts. Pure.
//
// In a terminal Ctrl+C is the interrupt and Ctrl+V a literal-next, so copy and paste move to
// Ctrl+Shift+C / Ctrl+Shift+V as in GNOME Terminal, Konsole and Windows Terminal. On macOS Cmd+C/V
// already reach the browser's copy/paste, which xterm.js handles.

export type ClipboardAction = 'copy' | 'paste';

export interface KeyLike {
  type: string;
  key: string;
  code: string;
  ctrlKey: boolean;
  shiftKey: boolean;
  altKey: boolean;
  metaKey: boolean;
}

export function clipboardShortcut(e: KeyLike): ClipboardAction | null {
  if (e.type !== 'keydown' || !e.ctrlKey || !e.shiftKey || e.altKey || e.metaKey) return null;
  // `code` names the physical key, so it works on every keyboard layout; `key` covers remapped ones.
  if (e.code === 'KeyC' || e.key === 'C' || e.key === 'c') return 'copy';
  if (e.code === 'KeyV' || e.key === 'V' || e.key === 'v') return 'paste';
  return null;
}
