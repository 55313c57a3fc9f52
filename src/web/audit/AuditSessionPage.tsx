import { useRef, type ReactNode } from 'react';
import type { Player } from 'asciinema-player';
import { Link } from 'react-router-dom';
import { apiPaths } from '../common/api-paths.js';
import { ErrorBanner } from '../common/ErrorBanner.js';
import { routes } from '../common/routes.js';
import { formatDateTime } from '../common/time.js';
import { useJson } from '../common/use-json.js';
import { useDocumentTitle } from '../common/use-document-title.js';
import { formatCommandWords } from '../terminal/command-words.js';
import {
  commandFlagNotes,
  FLAG_LABELS,
  formatBytes,
  formatDuration,
  formatOffset,
  KIND_LABELS,
  kubeIdentityText,
  recordingNote,
  sessionResult,
  requestedCommand,
} from './audit-format.js';
import type { AuditCommandView, AuditSessionDetail } from '../../shared/audit/api.js';
import { CastPlayer } from './CastPlayer.js';

/** One audited session: who did what where, the command lines typed, and the recording. */
export function AuditSessionPage({ id }: { id: string }) {
  const session = useJson<AuditSessionDetail>(apiPaths.auditSession(id));
  const player = useRef<Player | null>(null);
  const s = session.data;
  useDocumentTitle(s ? `${KIND_LABELS[s.kind] ?? s.kind} session of ${s.pod}` : 'Audit session');

  const replayFrom = (command: AuditCommandView): void => {
    const p = player.current;
    if (!p) return;
    // A little before the line, so the prompt and the typing are visible.
    void p.seek(Math.max(0, command.at / 1000 - 1)).then(() => p.play());
  };

  return (
    <>
      <nav className="breadcrumbs" aria-label="Breadcrumb">
        <Link to={routes.audit()}>Audit</Link>
        <span aria-hidden="true">›</span>
        <span className="mono">{id}</span>
      </nav>
      {session.error && <ErrorBanner message={session.error} onRetry={session.reload} />}
      {!s && !session.error && <p className="muted">Loading session…</p>}
      {s && (
        <div className="audit-document">
          <h1 className="page-title">
            <span className="wrap-anywhere">
              {KIND_LABELS[s.kind] ?? s.kind} session by {s.user}
            </span>
            <span className={`badge badge-${toneBadge(sessionResult(s).tone)}`} data-testid="audit-outcome">
              {sessionResult(s).text}
            </span>
          </h1>
          {s.endedAt === null && (
            <div className="banner banner-warn" role="status">
              This session is still running; the replay shows the recording so far.
              <button type="button" className="btn" onClick={session.reload}>
                Refresh
              </button>
            </div>
          )}
          {s.error && (
            // With an exit code the process ended normally and the note is secondary (how the socket closed).
            <div className={`banner ${s.exitCode === null ? 'banner-error' : 'banner-info'}`} role="status">
              {s.error}
            </div>
          )}
          <SessionFacts session={s} />

          <h2 className="section-title">Command lines</h2>
          <p className="muted">
            Reconstructed from the keystrokes sent to the terminal; the recording below is the complete
            record.
          </p>
          {s.commands.length === 0 ? (
            <p className="muted" data-testid="audit-commands">
              No command lines were captured in this session.
            </p>
          ) : (
            <div className="table-wrap">
              <table className="data" data-testid="audit-commands">
                <thead>
                  <tr>
                    <th>Time</th>
                    <th>Line</th>
                    <th>Flags</th>
                    {s.recordingUrl && (
                      <th>
                        <span className="visually-hidden">Replay</span>
                      </th>
                    )}
                  </tr>
                </thead>
                <tbody>
                  {s.commands.map((c, i) => (
                    <tr key={i} data-testid="audit-command">
                      <td title={formatDateTime(c.time)} className="mono nowrap">
                        {formatDateTime(c.time)} <span className="muted">{formatOffset(c.at)}</span>
                      </td>
                      <td className="mono wrap-anywhere" data-testid="audit-command-line">
                        {c.line === '' ? <span className="muted">(empty)</span> : c.line}
                      </td>
                      <td>
                        {c.flags.map((f) => (
                          <span key={f} className="badge badge-muted" title={FLAG_LABELS[f]?.title}>
                            {FLAG_LABELS[f]?.label ?? f}
                          </span>
                        ))}
                      </td>
                      {s.recordingUrl && (
                        <td>
                          <button type="button" className="btn btn-small" onClick={() => replayFrom(c)}>
                            ▶ replay here
                          </button>
                        </td>
                      )}
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          {commandFlagNotes(s.commands).map((note) => (
            <p key={note} className="banner banner-info" data-testid="audit-flag-note">
              {note}
            </p>
          ))}

          <h2 className="section-title">Recording</h2>
          {recordingNote(s) && (
            <div className="banner banner-warn" role="status" data-testid="audit-recording-note">
              {recordingNote(s)}
            </div>
          )}
          {s.recordingUrl ? (
            <>
              <div className="toolbar">
                <a
                  className="btn"
                  href={`${s.recordingUrl}?download=true`}
                  download
                  data-testid="audit-download"
                >
                  Download .cast
                </a>
                <span className="muted">
                  asciicast v2: play it with `asciinema play`, or read it as text.
                </span>
              </div>
              <CastPlayer url={s.recordingUrl} onPlayer={(p) => (player.current = p)} />
            </>
          ) : (
            <p className="muted">This session has no recording (only terminal sessions are recorded).</p>
          )}
        </div>
      )}
    </>
  );
}

function SessionFacts({ session: s }: { session: AuditSessionDetail }) {
  const asked = requestedCommand(s);
  const wrapped = formatCommandWords(s.command);
  const details = Object.entries(s.details).filter(([, v]) => v !== null && v !== undefined);
  return (
    <dl className="facts audit-facts" data-testid="audit-facts">
      <Fact label="Person">
        <span data-testid="audit-person-user">{s.user}</span>
        {s.email !== null && <div className="muted">email: {s.email}</div>}
        {s.groups.length > 0 && <div className="muted">groups: {s.groups.join(', ')}</div>}
        {s.subject !== null && <div className="muted wrap-anywhere">sign-on subject: {s.subject}</div>}
      </Fact>
      <Fact label="Kubernetes identity">
        <span data-testid="audit-kube-identity">{kubeIdentityText(s.kube, s.kind)}</span>
        {s.kube !== null && s.kube.groups.length > 0 && (
          <div className="muted">
            {s.kube.method === 'impersonation' ? 'groups sent' : 'groups'}: {s.kube.groups.join(', ')}
          </div>
        )}
      </Fact>
      {s.kind === 'audit-view' && typeof s.details['viewedSession'] === 'string' && (
        <Fact label="Recording of">
          <Link to={routes.auditSession(s.details['viewedSession'])} className="mono">
            {s.details['viewedSession']}
          </Link>
        </Fact>
      )}
      <Fact label="Started">{formatDateTime(s.startedAt)}</Fact>
      <Fact label="Ended">{s.endedAt ? formatDateTime(s.endedAt) : 'still running'}</Fact>
      <Fact label="Duration">{formatDuration(s.durationMs)}</Fact>
      <Fact label="Cluster">{s.cluster}</Fact>
      <Fact label="Namespace">{s.namespace}</Fact>
      <Fact label="Pod">
        <Link to={routes.pod(s.cluster, s.namespace, s.pod)} className="mono">
          {s.pod}
        </Link>
      </Fact>
      <Fact label="Container">{s.container ?? '—'}</Fact>
      <Fact label="Command">
        <span className="mono">{formatCommandWords(asked) || '—'}</span>
        {wrapped !== formatCommandWords(asked) && wrapped !== '' && (
          <div className="muted mono wrap-anywhere" title="The argv that ran, with Podscope's wrapping">
            ran: {wrapped}
          </div>
        )}
      </Fact>
      <Fact label="Policy">
        <span className="wrap-anywhere">{s.policy || '—'}</span>
      </Fact>
      <Fact label="Client address">
        <span className="mono">{s.clientAddress ?? '—'}</span>
      </Fact>
      <Fact label="Exit code">{s.exitCode ?? '—'}</Fact>
      <Fact label="Bytes in / out">
        {formatBytes(s.bytesIn)} / {formatBytes(s.bytesOut)}
      </Fact>
      <Fact label="Session id">
        <span className="mono">{s.id}</span>
      </Fact>
      {s.replica !== null && (
        <Fact label="Podscope replica">
          <span className="mono">{s.replica}</span>
        </Fact>
      )}
      {details.length > 0 && (
        <Fact label="Details">
          <KeyValues entries={details} />
        </Fact>
      )}
      {s.outcome && (
        <Fact label="Outcome">
          <KeyValues entries={Object.entries(s.outcome)} />
        </Fact>
      )}
    </dl>
  );
}

function KeyValues({ entries }: { entries: [string, unknown][] }) {
  return (
    <ul className="plain-list mono">
      {entries.map(([k, v]) => (
        <li key={k} className="wrap-anywhere">
          {k}: {typeof v === 'string' ? v : JSON.stringify(v)}
        </li>
      ))}
    </ul>
  );
}

function Fact({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div>
      <dt>{label}</dt>
      <dd>{children}</dd>
    </div>
  );
}

function toneBadge(tone: 'ok' | 'error' | 'warn' | 'muted'): string {
  return tone === 'error' ? 'error' : tone;
}
