import { useRef, type FormEvent } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router-dom';
import { apiPaths, withQuery } from '../common/api-paths.js';
import { ErrorBanner } from '../common/ErrorBanner.js';
import { routes } from '../common/routes.js';
import { formatAge, formatDateTime } from '../common/time.js';
import { useJson } from '../common/use-json.js';
import { useNow } from '../common/use-now.js';
import { useDocumentTitle } from '../common/use-document-title.js';
import { formatCommandWords } from '../terminal/command-words.js';
import {
  auditApiQuery,
  auditFiltersToParams,
  hasFilters,
  instantToLocalInput,
  localInputToInstant,
  parseAuditFilters,
  TEXT_FILTERS,
  withFilters,
  type AuditFilters,
} from './audit-filters.js';
import {
  formatDuration,
  KIND_LABELS,
  kubeIdentityText,
  personEmail,
  sessionResult,
  requestedCommand,
} from './audit-format.js';
import {
  SESSION_KINDS,
  type AuditSessionPage,
  type AuditSessionView,
  type SessionKind,
} from '../../shared/audit/api.js';

const FILTER_LABELS = { user: 'Person', cluster: 'Cluster', namespace: 'Namespace', pod: 'Pod' } as const;

/** Every audited session (terminals, debug containers, pod copies, file transfers), newest first. */
export function AuditPage() {
  const [params, setParams] = useSearchParams();
  const filters = parseAuditFilters(params);
  const page = useJson<AuditSessionPage>(withQuery(apiPaths.auditSessions(), auditApiQuery(filters)));
  const now = useNow(10_000);
  const navigate = useNavigate();
  useDocumentTitle('Audit');
  const form = useRef<HTMLFormElement>(null);

  const show = (next: AuditFilters): void => setParams(auditFiltersToParams(next));

  const onSubmit = (e: FormEvent<HTMLFormElement>): void => {
    e.preventDefault();
    const data = new FormData(e.currentTarget);
    const text = (name: string): string => String(data.get(name) ?? '').trim();
    show(
      withFilters(filters, {
        user: text('user'),
        cluster: text('cluster'),
        namespace: text('namespace'),
        pod: text('pod'),
        kind: text('kind') as SessionKind | '',
        from: localInputToInstant(text('from')),
        to: localInputToInstant(text('to')),
      }),
    );
  };

  const sessions = page.data?.sessions ?? [];
  // Only someone who reads everyone's sessions (an auditor, or local mode) filters by person.
  const own = page.data?.scope === 'own';
  const textFilters = TEXT_FILTERS.filter((name) => !(own && name === 'user'));
  return (
    <>
      <h1 className="page-title">Audit</h1>
      <p className="muted">
        Every terminal, debug container, pod copy and file transfer, recorded before it started. Newest first.
      </p>
      {own && (
        <p className="muted" data-testid="audit-scope">
          You see your own sessions. Members of an auditor group see everyone&apos;s.
        </p>
      )}
      <form
        ref={form}
        // Re-created when the URL changes, so the fields show what is applied (back/forward included).
        key={auditFiltersToParams({ ...filters, before: '', limit: '' }).toString()}
        className="toolbar audit-filters"
        onSubmit={onSubmit}
        aria-label="Filter sessions"
      >
        {textFilters.map((name) => (
          <label key={name} className="field">
            {FILTER_LABELS[name]}
            <input
              type="text"
              name={name}
              defaultValue={filters[name]}
              size={14}
              spellCheck={false}
              autoComplete="off"
              title={name === 'user' ? 'The username, e.g. dana@example.com' : undefined}
              data-testid={`audit-filter-${name}`}
            />
          </label>
        ))}
        <label className="field">
          Kind
          <select
            name="kind"
            defaultValue={filters.kind}
            onChange={() => form.current?.requestSubmit()}
            data-testid="audit-filter-kind"
          >
            <option value="">any</option>
            {SESSION_KINDS.map((k) => (
              <option key={k} value={k}>
                {KIND_LABELS[k]}
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          From
          <input
            type="datetime-local"
            name="from"
            defaultValue={instantToLocalInput(filters.from)}
            data-testid="audit-filter-from"
          />
        </label>
        <label className="field">
          To
          <input
            type="datetime-local"
            name="to"
            defaultValue={instantToLocalInput(filters.to)}
            data-testid="audit-filter-to"
          />
        </label>
        <button type="submit" className="btn btn-primary" data-testid="audit-filter-apply">
          Apply
        </button>
        {hasFilters(filters) && (
          <Link className="btn btn-ghost" to={routes.audit()} data-testid="audit-filter-clear">
            Clear
          </Link>
        )}
        <button type="button" className="btn btn-ghost" onClick={page.reload}>
          Refresh
        </button>
      </form>

      {page.error && <ErrorBanner message={page.error} onRetry={page.reload} />}

      <div className="table-wrap">
        <table className="data audit-table" data-testid="audit-table" aria-busy={page.loading}>
          <thead>
            <tr>
              <th>Started</th>
              <th>Person</th>
              <th>Kind</th>
              <th>Where</th>
              <th>Command</th>
              <th>Outcome</th>
              <th className="num">Duration</th>
            </tr>
          </thead>
          <tbody>
            {sessions.map((s) => (
              <SessionRow
                key={s.id}
                session={s}
                now={now}
                onOpen={() => void navigate(routes.auditSession(s.id))}
              />
            ))}
          </tbody>
        </table>
      </div>
      {page.loading && <p className="muted">Loading sessions…</p>}
      {!page.loading && !page.error && sessions.length === 0 && (
        <p className="muted" data-testid="audit-empty">
          {hasFilters(filters) ? 'No session matches these filters.' : 'No audited session yet.'}
        </p>
      )}
      <nav className="toolbar" aria-label="Pages">
        {filters.before !== '' && (
          <button
            type="button"
            className="btn"
            data-testid="audit-newest"
            onClick={() => show(withFilters(filters, {}))}
          >
            ← Newest
          </button>
        )}
        {page.data?.nextCursor && (
          <button
            type="button"
            className="btn"
            data-testid="audit-older"
            onClick={() => show(withFilters(filters, { before: page.data?.nextCursor ?? '' }))}
          >
            Older sessions →
          </button>
        )}
      </nav>
    </>
  );
}

function SessionRow({
  session: s,
  now,
  onOpen,
}: {
  session: AuditSessionView;
  now: number;
  onOpen: () => void;
}) {
  const result = sessionResult(s);
  return (
    <tr data-testid="audit-row" data-session-id={s.id} className="clickable" onClick={onOpen}>
      <td title={formatDateTime(s.startedAt)}>
        <Link to={routes.auditSession(s.id)} onClick={(e) => e.stopPropagation()}>
          {formatDateTime(s.startedAt)}
        </Link>
        <div className="muted">{formatAge(s.startedAt, now)} ago</div>
      </td>
      <td className="wrap-anywhere" data-testid="audit-person">
        <div data-testid="audit-person-user">{s.user}</div>
        {personEmail(s) && <div className="muted">{personEmail(s)}</div>}
        {s.groups.length > 0 && <div className="muted">groups: {s.groups.join(', ')}</div>}
        <div className="muted" data-testid="audit-kube-identity">
          Kubernetes: {kubeIdentityText(s.kube, s.kind)}
        </div>
      </td>
      <td>{KIND_LABELS[s.kind] ?? s.kind}</td>
      <td className="mono wrap-anywhere">
        {s.cluster}/{s.namespace}/{s.pod}
        {s.container && <span className="muted"> · {s.container}</span>}
      </td>
      <td className="mono wrap-anywhere audit-command-cell">
        {formatCommandWords(requestedCommand(s)) || '—'}
      </td>
      <td className={`tone-${result.tone}`}>{result.text}</td>
      <td className="num">{formatDuration(s.durationMs)}</td>
    </tr>
  );
}
