// The xterm.js screen and the connection behind it, for the terminal tab. The hook owns the Terminal,
// its fit addon, the resize observer and the socket; unmounting (tab switch, navigation, closing the
// page) disposes all of them, and closing the socket ends the process in the container.

import { FitAddon } from '@xterm/addon-fit';
import { Terminal } from '@xterm/xterm';
import '@xterm/xterm/css/xterm.css';
import { useCallback, useEffect, useEffectEvent, useReducer, useRef, useState, type RefObject } from 'react';
import { clipboardShortcut } from './clipboard-keys.js';
import { binaryStringBytes, inputFrames } from './input-frames.js';
import { isLeaveTerminalKey, tabLeavesTerminal } from './leave-key.js';
import { TerminalConnection } from './terminal-connection.js';
import { announceLoginRequired, isSignedOutClose } from '../auth/login-required.js';
import { initialTerminalState, terminalReducer, type TerminalState } from './terminal-state.js';
import { readTerminalTheme, watchTheme } from './xterm-theme.js';

interface Screen {
  term: Terminal;
  fit: FitAddon;
}

export interface TerminalControls {
  state: TerminalState;
  /** A non-fatal problem or a notice the server reported (the session goes on). */
  notice: string | null;
  /** Opens a new session; `pathFor` gets the screen's current size for the initial TTY size. */
  connect: (container: string, pathFor: (size: { cols: number; rows: number }) => string) => void;
  disconnect: () => void;
}

export interface TerminalScreenOptions {
  /** The leave key was pressed: move the focus somewhere outside the terminal. */
  onLeave: () => void;
  /** The element that tells how to leave, read out when the terminal takes the focus. */
  describedBy: string;
  /** xterm.js's accessibility tree: the screen's text for screen readers, new output announced. */
  screenReaderMode: boolean;
}

export function useTerminal(
  screenRef: RefObject<HTMLDivElement | null>,
  options: TerminalScreenOptions,
): TerminalControls {
  const { describedBy, screenReaderMode } = options;
  const leave = useEffectEvent(() => options.onLeave());
  const [state, dispatch] = useReducer(terminalReducer, initialTerminalState);
  const [notice, setNotice] = useState<string | null>(null);
  const screen = useRef<Screen | null>(null);
  const connection = useRef<TerminalConnection | null>(null);
  const sessionOpen = useRef(false);

  useEffect(() => {
    const element = screenRef.current;
    if (!element) return undefined;
    const term = new Terminal({
      cursorBlink: true,
      fontFamily: getComputedStyle(element).getPropertyValue('--font-mono').trim() || 'monospace',
      fontSize: 13,
      scrollback: 5000,
      theme: readTerminalTheme(),
      // Right click selects the word under the pointer and opens the browser's menu with Copy/Paste.
      rightClickSelectsWord: true,
      disableStdin: true,
    });
    const fit = new FitAddon();
    term.loadAddon(fit);
    term.open(element);
    term.textarea?.setAttribute('aria-describedby', describedBy);
    const refit = (): void => {
      // fit() measures the element; a hidden or zero-sized element has nothing to fit.
      if (element.clientWidth > 0 && element.clientHeight > 0) fit.fit();
    };
    refit();
    term.attachCustomKeyEventHandler((event) => {
      if (isLeaveTerminalKey(event)) {
        event.preventDefault();
        leave();
        return false;
      }
      // Returning false without preventDefault leaves the key to the browser: the focus moves on.
      if (tabLeavesTerminal(event, sessionOpen.current)) return false;
      const action = clipboardShortcut(event);
      if (action === null) return true;
      if (action === 'copy') {
        event.preventDefault(); // Chrome would open the element inspector
        if (term.hasSelection()) void copyText(term.getSelection());
      }
      // Paste: returning false lets the browser's own paste reach xterm's textarea (bracketed if enabled).
      return false;
    });
    const subscriptions = [
      term.onData((data) => connection.current?.sendInput(inputFrames(data))),
      term.onBinary((data) => connection.current?.sendInput([binaryStringBytes(data)])),
      term.onResize(({ cols, rows }) => connection.current?.resize(cols, rows)),
    ];
    let frame = 0;
    const observer = new ResizeObserver(() => {
      cancelAnimationFrame(frame);
      frame = requestAnimationFrame(refit);
    });
    observer.observe(element);
    const stopWatchingTheme = watchTheme(() => {
      term.options.theme = readTerminalTheme();
    });
    screen.current = { term, fit };
    return () => {
      screen.current = null;
      connection.current?.close();
      connection.current = null;
      observer.disconnect();
      cancelAnimationFrame(frame);
      stopWatchingTheme();
      for (const s of subscriptions) s.dispose();
      term.dispose();
    };
  }, [screenRef, describedBy]);

  useEffect(() => {
    const s = screen.current;
    if (s) s.term.options.screenReaderMode = screenReaderMode;
  }, [screenReaderMode]);

  // Keystrokes reach the container only while a session is opening or open.
  const acceptsInput = state.phase === 'connecting' || state.phase === 'connected';
  useEffect(() => {
    sessionOpen.current = acceptsInput;
    const s = screen.current;
    if (!s) return;
    s.term.options.disableStdin = !acceptsInput;
    s.term.options.cursorBlink = acceptsInput;
  }, [acceptsInput]);

  const connect = useCallback<TerminalControls['connect']>((container, pathFor) => {
    const s = screen.current;
    if (!s) return;
    connection.current?.close();
    s.term.reset();
    setNotice(null);
    dispatch({ type: 'connect', container });
    const conn = new TerminalConnection(pathFor({ cols: s.term.cols, rows: s.term.rows }), {
      onOutput: (bytes) => s.term.write(bytes),
      onMessage: (message) => {
        if ((message.type === 'error' && !message.fatal) || message.type === 'notice') {
          setNotice(message.message);
        }
        if (message.type === 'ready') s.term.focus();
        if (message.type === 'exit') s.term.write(`\r\n\x1b[2m[${message.message}]\x1b[0m\r\n`);
        dispatch({ type: 'message', message });
      },
      onClosed: (code, wasOpen) => {
        if (connection.current === conn) connection.current = null;
        dispatch({ type: 'closed', code, wasOpen });
        // Signed out (in another tab, on another replica) or timed out: the sign-in page comes back.
        if (isSignedOutClose(code)) announceLoginRequired();
      },
    });
    connection.current = conn;
    s.term.focus();
  }, []);

  const disconnect = useCallback(() => {
    connection.current?.close();
    connection.current = null;
    dispatch({ type: 'disconnect' });
  }, []);

  return { state, notice, connect, disconnect };
}

async function copyText(text: string): Promise<void> {
  // The async clipboard exists only in a secure context (https or localhost). Elsewhere a copy command
  // makes xterm.js's textarea (which has focus) put the selection on the clipboard itself.
  if (!navigator.clipboard) {
    document.execCommand('copy');
    return;
  }
  try {
    await navigator.clipboard.writeText(text);
  } catch {
    // Permission refused: the browser's context menu (right click → Copy) still works.
  }
}
