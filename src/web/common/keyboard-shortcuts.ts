// Every key the app binds, in one list: the shortcuts dialog shows it and the README repeats it. Pure.

export interface Shortcut {
  keys: string[];
  action: string;
}

export interface ShortcutGroup {
  where: string;
  shortcuts: Shortcut[];
}

/** The key that takes the focus out of a terminal, which keeps Tab for the shell's completion. */
export const LEAVE_TERMINAL_KEYS = ['Ctrl', 'Shift', 'L'];

export const KEYBOARD_SHORTCUTS: readonly ShortcutGroup[] = [
  {
    where: 'Everywhere',
    shortcuts: [
      { keys: ['?'], action: 'Show these keys' },
      { keys: ['Tab'], action: 'Next control; the first stop is "Skip to content"' },
      { keys: ['Shift', 'Tab'], action: 'Previous control' },
    ],
  },
  {
    where: 'Pod list',
    shortcuts: [
      { keys: ['/'], action: 'Filter pods' },
      { keys: ['j'], action: 'Next pod (also ↓)' },
      { keys: ['k'], action: 'Previous pod (also ↑)' },
      { keys: ['Enter'], action: 'Open the selected pod' },
      { keys: ['Esc'], action: 'Leave the filter' },
    ],
  },
  {
    where: 'Pod page',
    shortcuts: [
      { keys: ['←'], action: 'Previous tab (then Enter opens it)' },
      { keys: ['→'], action: 'Next tab' },
    ],
  },
  {
    where: 'Logs',
    shortcuts: [
      { keys: ['/'], action: 'Search; the view moves to the first match as you type' },
      { keys: ['Enter'], action: 'Next match' },
      { keys: ['Shift', 'Enter'], action: 'Previous match' },
      { keys: ['Esc'], action: 'Clear the search' },
      { keys: ['End'], action: 'Jump to the latest line (in the output)' },
    ],
  },
  {
    where: 'Terminal',
    shortcuts: [
      {
        keys: LEAVE_TERMINAL_KEYS,
        action: 'Leave the terminal (while a session runs, Tab goes to the shell)',
      },
      { keys: ['Ctrl', 'Shift', 'C'], action: 'Copy the selection' },
      { keys: ['Ctrl', 'Shift', 'V'], action: 'Paste' },
    ],
  },
];
