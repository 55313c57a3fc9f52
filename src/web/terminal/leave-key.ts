// The key that moves the focus out of the terminal. Pure.
//
// The terminal must keep Tab (shell completion) and Esc (vim, less), so the way out is a chord no
// program in a terminal can tell apart from one it already gets: Ctrl+Shift+L reaches the shell as
// Ctrl+L (clear screen) would, and Ctrl+L still does that. Shift follows the Ctrl+Shift+C/V convention
// of terminal emulators for the terminal's own functions. WCAG 2.1.2: a documented way out is no trap.

import type { KeyLike } from './clipboard-keys.js';

export function isLeaveTerminalKey(e: KeyLike): boolean {
  if (e.type !== 'keydown' || !e.ctrlKey || !e.shiftKey || e.altKey || e.metaKey) return false;
  return e.code === 'KeyL' || e.key === 'L' || e.key === 'l';
}

/**
 * Tab and Shift+Tab move the focus on as everywhere else while no session is open: with nothing to
 * complete, the terminal has no use for them.
 */
export function tabLeavesTerminal(e: KeyLike, sessionOpen: boolean): boolean {
  return !sessionOpen && e.key === 'Tab' && !e.ctrlKey && !e.altKey && !e.metaKey;
}
