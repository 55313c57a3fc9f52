import { useId, useRef, useState, type FormEvent } from 'react';
import { useSearchParams } from 'react-router-dom';
import type { PodDetail } from '../../shared/api.js';
import { apiPaths, withQuery } from '../common/api-paths.js';
import { ErrorBanner } from '../common/ErrorBanner.js';
import { routes } from '../common/routes.js';
import { useJson } from '../common/use-json.js';
import { LEAVE_TERMINAL_KEYS } from '../common/keyboard-shortcuts.js';
import { Link } from 'react-router-dom';
import { splitCommandWords } from './command-words.js';
import { policySource, policyTitle } from './exec-policy-text.js';
import type { ExecPolicyView } from '../../shared/terminal/api.js';
import { defaultTerminalContainer, terminalContainers } from './terminal-containers.js';
import { errorAdvice, exitLine, statusLine } from './terminal-state.js';
import { terminalSocketPath } from './terminal-url.js';
import { useTerminal } from './use-terminal.js';
import { DeniedReason, useActionState } from '../permissions/PodPermissions.js';

interface TerminalTabProps {
  cluster: string;
  namespace: string;
  pod: PodDetail;
}

/** `kubectl exec -it POD -c C -- bash` in the browser: audited, recorded, under the exec policy. */
export function TerminalTab({ cluster, namespace, pod }: TerminalTabProps) {
  const [params, setParams] = useSearchParams();
  const choices = terminalContainers(pod.containers);
  const container = defaultTerminalContainer(choices, params.get('container'));
  const selected = choices.find((c) => c.name === container) ?? null;
  const policy = useJson<ExecPolicyView>(
    container === null
      ? null
      : withQuery(apiPaths.terminalPolicy(cluster, namespace, pod.name), { container }),
  );
  const [commandText, setCommandText] = useState('');
  const command = splitCommandWords(commandText);
  const screenRef = useRef<HTMLDivElement>(null);
  const connectButton = useRef<HTMLButtonElement>(null);
  const disconnectButton = useRef<HTMLButtonElement>(null);
  const screenReaderButton = useRef<HTMLButtonElement>(null);
  const hintId = useId();
  const deniedId = useId();
  const allowed = useActionState('terminal');
  const [screenReaderMode, setScreenReaderMode] = useState(readScreenReaderMode);
  const { state, notice, connect, disconnect } = useTerminal(screenRef, {
    // Out of the terminal to its controls: Disconnect while a session runs, Connect after it.
    onLeave: () =>
      [disconnectButton, connectButton, screenReaderButton]
        .map((b) => b.current)
        .find((b) => b !== null && !b.disabled)
        ?.focus(),
    describedBy: hintId,
    screenReaderMode,
  });
  const active = state.phase === 'connecting' || state.phase === 'connected';
  const exit = exitLine(state);
  const error = state.phase === 'ended' ? state.error : null;

  const blocker =
    allowed.disabled && allowed.reason !== null
      ? allowed.reason
      : container === null
        ? 'This pod has no containers yet.'
        : !selected?.running
          ? `Container ${container} is not running; a terminal needs a running container.`
          : policy.data?.policy === 'no-exec'
            ? 'The exec policy does not allow terminals here.'
            : !command.ok
              ? command.error
              : null;

  const onSubmit = (e: FormEvent): void => {
    e.preventDefault();
    if (active || blocker !== null || container === null || !command.ok) return;
    const target = { cluster, namespace, pod: pod.name, container };
    connect(container, (size) => terminalSocketPath(target, command.words, size));
  };

  const chooseContainer = (name: string): void => {
    const next = new URLSearchParams(params);
    next.set('container', name);
    setParams(next, { replace: true });
  };

  return (
    <div className="tab-panel terminal-panel">
      <form className="toolbar" onSubmit={onSubmit} aria-label="Terminal connection">
        <label className="field">
          Container
          <select
            value={container ?? ''}
            onChange={(e) => chooseContainer(e.target.value)}
            disabled={active}
            data-testid="terminal-container"
          >
            {choices.map((c) => (
              <option key={c.name} value={c.name} disabled={!c.running}>
                {c.label}
              </option>
            ))}
          </select>
        </label>
        <label className="field terminal-command-field">
          Command
          <input
            type="text"
            className={`mono${command.ok ? '' : ' invalid'}`}
            value={commandText}
            onChange={(e) => setCommandText(e.target.value)}
            placeholder="automatic shell (bash, then sh)"
            title="Words separated by spaces, passed as argv (no shell). Quote a word to keep its spaces, e.g. sh -c 'ls | wc -l'."
            spellCheck={false}
            autoComplete="off"
            disabled={active}
            data-testid="terminal-command"
          />
        </label>
        <button
          type="submit"
          className="btn btn-primary"
          disabled={active || blocker !== null}
          title={blocker ?? undefined}
          aria-describedby={allowed.disabled ? deniedId : undefined}
          ref={connectButton}
          data-testid="terminal-connect"
        >
          Connect
        </button>
        <button
          type="button"
          className="btn"
          onClick={disconnect}
          disabled={!active}
          ref={disconnectButton}
          data-testid="terminal-disconnect"
        >
          Disconnect
        </button>
        <button
          type="button"
          className="btn"
          aria-pressed={screenReaderMode}
          onClick={() => setScreenReaderMode(storeScreenReaderMode(!screenReaderMode))}
          ref={screenReaderButton}
          title="Gives screen readers the terminal's text and announces new output"
          data-testid="terminal-screen-reader"
        >
          <span aria-hidden="true">{screenReaderMode ? '☑' : '☐'}</span>
          Screen reader mode
        </button>
      </form>

      <DeniedReason id={deniedId} state={allowed} testId="terminal-denied" />

      <PolicyNotice policy={policy.data} error={policy.error} loading={policy.loading} />

      <p className={`terminal-status status-${state.phase}`} role="status" data-testid="terminal-status">
        {statusLine(state)}
        {state.phase === 'connected' && (
          <>
            {' '}
            <Link
              to={routes.auditSession(state.ready.sessionId)}
              className="muted"
              data-testid="terminal-session-link"
            >
              This session is audited and recorded.
            </Link>
          </>
        )}
        {state.phase === 'idle' && blocker !== null && !allowed.disabled && (
          <span className="muted"> {blocker}</span>
        )}
      </p>

      {exit !== null && (
        <div
          className={`terminal-exit ${state.phase === 'ended' && state.exit?.code === 0 ? 'exit-ok' : 'exit-fail'}`}
          role="status"
          data-testid="terminal-exit"
        >
          {exit}
        </div>
      )}
      {error && (
        <ErrorBanner message={[error.message, errorAdvice(error)].filter((s) => s !== null).join(' ')} />
      )}
      {notice && (
        <div className="banner banner-warn" role="status">
          {notice}
        </div>
      )}

      <div className="terminal-frame" role="group" aria-label="Terminal">
        <div className="terminal-screen" ref={screenRef} data-testid="terminal-screen" />
      </div>
      <p className="muted terminal-hint" id={hintId} data-testid="terminal-hint">
        Leave the terminal with <kbd>{LEAVE_TERMINAL_KEYS.join('+')}</kbd> (while a session runs, Tab goes to
        the shell). Copy: select text, then Ctrl+Shift+C or right click → Copy. Paste: Ctrl+Shift+V or right
        click → Paste. Leaving this tab ends the session.
      </p>
    </div>
  );
}

const SCREEN_READER_KEY = 'podscope.terminal.screenReader';

function readScreenReaderMode(): boolean {
  try {
    return window.localStorage.getItem(SCREEN_READER_KEY) === '1';
  } catch {
    return false;
  }
}

function storeScreenReaderMode(on: boolean): boolean {
  try {
    if (on) window.localStorage.setItem(SCREEN_READER_KEY, '1');
    else window.localStorage.removeItem(SCREEN_READER_KEY);
  } catch {
    // Not kept for the next visit; still on for this page.
  }
  return on;
}

function PolicyNotice({
  policy,
  error,
  loading,
}: {
  policy: ExecPolicyView | null;
  error: string | null;
  loading: boolean;
}) {
  if (error) {
    return (
      <div className="banner banner-error" data-testid="terminal-policy">
        Could not read the exec policy: {error}
      </div>
    );
  }
  if (!policy) {
    return (
      <div className="banner banner-info" data-testid="terminal-policy" data-policy="">
        {loading ? 'Reading the exec policy…' : 'Choose a container to see the exec policy.'}
      </div>
    );
  }
  const tone =
    policy.policy === 'no-exec'
      ? 'banner-error'
      : policy.policy === 'non-root'
        ? 'banner-warn'
        : 'banner-info';
  return (
    <div
      className={`banner ${tone} terminal-policy`}
      data-testid="terminal-policy"
      data-policy={policy.policy}
    >
      <div>
        <strong>{policyTitle(policy)}</strong>
        <div className="muted">
          {policy.reason} <span>(source: {policySource(policy)})</span>
        </div>
      </div>
    </div>
  );
}
