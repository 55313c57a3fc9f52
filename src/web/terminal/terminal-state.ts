// The life of one terminal connection as the tab shows it, as a pure reducer plus the sentences
// for its status line, exit line and errors. No DOM: unit-tested in Node.

import { SIGNED_OUT_CLOSE_CODE } from '../../shared/api.js';
import type { ExecUser, TerminalServerMessage } from '../../shared/terminal/api.js';

type Ready = Extract<TerminalServerMessage, { type: 'ready' }>;

export type TerminalState =
  | { phase: 'idle' }
  | { phase: 'connecting'; container: string }
  | { phase: 'connected'; container: string; ready: Ready }
  | {
      phase: 'ended';
      container: string;
      /** Set when the session got as far as a running process. */
      ready: Ready | null;
      exit: { code: number | null; message: string } | null;
      /** A sentence for the user when the session failed or was cut. */
      error: { status: number | null; message: string } | null;
      byUser: boolean;
    };

export type TerminalEvent =
  | { type: 'connect'; container: string }
  | { type: 'message'; message: TerminalServerMessage }
  /** The socket closed (for any reason); wasOpen: the upgrade had succeeded. */
  | { type: 'closed'; code: number; wasOpen: boolean }
  | { type: 'disconnect' };

export const initialTerminalState: TerminalState = { phase: 'idle' };

export function terminalReducer(state: TerminalState, event: TerminalEvent): TerminalState {
  switch (event.type) {
    case 'connect':
      return { phase: 'connecting', container: event.container };
    case 'disconnect':
      if (state.phase !== 'connecting' && state.phase !== 'connected') return state;
      return {
        phase: 'ended',
        container: state.container,
        ready: state.phase === 'connected' ? state.ready : null,
        exit: null,
        error: null,
        byUser: true,
      };
    case 'message':
      return onMessage(state, event.message);
    case 'closed':
      if (state.phase !== 'connecting' && state.phase !== 'connected') return state;
      return {
        phase: 'ended',
        container: state.container,
        ready: state.phase === 'connected' ? state.ready : null,
        exit: null,
        error: { status: null, message: closedWithoutWord(event.code, event.wasOpen, state.phase) },
        byUser: false,
      };
  }
}

function onMessage(state: TerminalState, message: TerminalServerMessage): TerminalState {
  switch (message.type) {
    case 'ready':
      if (state.phase !== 'connecting') return state;
      return { phase: 'connected', container: state.container, ready: message };
    case 'exit':
      if (state.phase !== 'connected' && state.phase !== 'connecting') return state;
      return {
        phase: 'ended',
        container: state.container,
        ready: state.phase === 'connected' ? state.ready : null,
        exit: { code: message.code, message: message.message },
        error: null,
        byUser: false,
      };
    case 'notice':
      return state; // shown by the caller as a passing notice; the session continues
    case 'error': {
      const error = { status: message.status, message: message.message };
      if (!message.fatal) return state; // shown by the caller as a passing notice; the session continues
      if (state.phase === 'ended') return state.error ? state : { ...state, error };
      if (state.phase === 'idle') return state;
      return {
        phase: 'ended',
        container: state.container,
        ready: state.phase === 'connected' ? state.ready : null,
        exit: null,
        error,
        byUser: false,
      };
    }
  }
}

/** The socket closed without an exit or error message from the server. */
function closedWithoutWord(code: number, wasOpen: boolean, phase: 'connecting' | 'connected'): string {
  if (!wasOpen) {
    return 'Could not open a terminal connection to the Podscope server. Check that it is running and that you are signed in, then connect again.';
  }
  if (code === SIGNED_OUT_CLOSE_CODE)
    return 'Your Podscope session ended (signed out or timed out), which ended the process in the container. Sign in again to go on.';
  if (code === 1009) return 'The server closed the terminal because the browser sent too much data at once.';
  // 1012 "Service Restart": the replica is stopping (an upgrade); a terminal cannot follow its process.
  if (code === 1012)
    return 'Podscope restarted (server shutdown), which ended the process in the container. Connect again to start a new session.';
  if (phase === 'connecting') return 'The server closed the connection before the terminal was ready.';
  return 'The connection to the server was lost, which ends the process in the container. Connect again to start a new session.';
}

/** Who the shell runs as, in words. */
export function describeUser(user: ExecUser | null): string {
  if (user === null) return "the image's own user";
  return typeof user === 'number' ? `uid ${user}` : `user ${user}`;
}

/** The status line under the controls. */
export function statusLine(state: TerminalState): string {
  switch (state.phase) {
    case 'idle':
      return 'Not connected.';
    case 'connecting':
      return `Connecting to container ${state.container}…`;
    case 'connected': {
      const r = state.ready;
      const what = r.shell ? `${r.shell} (chosen automatically)` : 'your command';
      return `Connected to ${state.container} as ${describeUser(r.user)} via ${r.protocol}, running ${what}.`;
    }
    case 'ended':
      if (state.byUser) return 'Disconnected. The process in the container was ended.';
      if (state.exit) return 'Session ended: the process exited.';
      return state.ready ? 'Session ended.' : 'The terminal could not be opened.';
  }
}

/** The prominent line once the process has ended, or null. */
export function exitLine(state: TerminalState): string | null {
  if (state.phase !== 'ended' || state.exit === null) return null;
  if (state.exit.code === null) return state.exit.message;
  return `The process exited with code ${state.exit.code}.`;
}

/**
 * The server's error as the user reads it, with what to do next where there is a clear next step.
 * The server already speaks in sentences; this adds the advice that belongs to the UI.
 */
export function errorAdvice(error: { status: number | null; message: string }): string | null {
  switch (error.status) {
    case 422:
      if (/debug container/i.test(error.message)) return null; // the server already says so
      if (/shell/i.test(error.message)) {
        return 'The image has no shell. Start a debug container with a tools image in this pod to look inside it, or give a command the image does have.';
      }
      return 'Try a command that exists in the image, or use a debug container.';
    case 409:
      return 'Pick a running container, or debug a copy of the pod if it keeps crashing.';
    case 403:
      return 'Ask the platform team for access if you need a terminal here.';
    case 502:
    case 503:
      return 'This is probably temporary: try again in a moment.';
    default:
      return null;
  }
}
