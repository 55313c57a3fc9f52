import { Link } from 'react-router-dom';
import type { PodDetail } from '../../shared/api.js';
import type { Evidence, Finding, PodDiagnosis } from '../../shared/diagnosis/types.js';
import { apiPaths } from '../common/api-paths.js';
import { formatAge, formatDateTime } from '../common/time.js';
import { useNow } from '../common/use-now.js';
import { evidenceUrl, stepUrl, type PodRef } from './diagnosis-links.js';
import { useDiagnosis } from './use-diagnosis.js';
import { useScrollToHash } from './use-scroll-to-hash.js';
import './diagnosis.css';

interface DiagnosisPanelProps {
  cluster: string;
  namespace: string;
  pod: PodDetail;
}

/** "Why is this pod failing?": the first thing on a problem pod's page — one sentence, evidence, next steps. */
export function DiagnosisPanel({ cluster, namespace, pod }: DiagnosisPanelProps) {
  useScrollToHash();
  const refreshKey = `${pod.status}|${pod.restarts}|${pod.ready}|${pod.phase}`;
  const { data, error } = useDiagnosis<PodDiagnosis>(
    apiPaths.podDiagnosis(cluster, namespace, pod.name),
    refreshKey,
  );
  const ref: PodRef = { cluster, namespace, pod: pod.name };
  if (error && !data) {
    return (
      <p className="muted diagnosis-unavailable" data-testid="diagnosis-error">
        Diagnosis unavailable: {error}
      </p>
    );
  }
  if (!data || (data.healthy && data.findings.length === 0)) return null;
  if (data.healthy) {
    return (
      <section className="diagnosis diagnosis-info" aria-label="Diagnosis" data-testid="diagnosis">
        {data.findings.map((f) => (
          <p key={`${f.id}/${f.container?.name ?? ''}`} className="muted diagnosis-note">
            {f.summary}
          </p>
        ))}
      </section>
    );
  }
  const [first, ...rest] = data.findings;
  return (
    <section
      className={`diagnosis diagnosis-${first!.severity}`}
      aria-labelledby="diagnosis-title"
      data-testid="diagnosis"
    >
      <h2 id="diagnosis-title" className="diagnosis-title">
        Diagnosis
      </h2>
      <FindingView finding={first!} podRef={ref} headline />
      {rest.length > 0 && (
        <details className="diagnosis-more">
          <summary>
            {rest.length} more finding{rest.length === 1 ? '' : 's'}
          </summary>
          {rest.map((f) => (
            <FindingView
              key={`${f.id}/${f.container?.name ?? ''}`}
              finding={f}
              podRef={ref}
              headline={false}
            />
          ))}
        </details>
      )}
    </section>
  );
}

function FindingView({
  finding: f,
  podRef,
  headline,
}: {
  finding: Finding;
  podRef: PodRef;
  headline: boolean;
}) {
  return (
    <div
      className="diagnosis-finding"
      data-testid="diagnosis-finding"
      data-id={f.id}
      data-severity={f.severity}
    >
      <p
        className={headline ? 'diagnosis-headline' : 'diagnosis-summary'}
        data-testid={headline ? 'diagnosis-headline' : undefined}
      >
        {f.summary}
      </p>
      {f.hint && <p className="diagnosis-hint">{f.hint}</p>}
      {f.nextSteps.length > 0 && (
        <div className="diagnosis-steps" role="group" aria-label="Next steps">
          {f.nextSteps.map((s) => (
            <Link
              key={stepUrl(s, podRef)}
              className="btn btn-small"
              to={stepUrl(s, podRef)}
              data-testid={`diagnosis-step-${s.action}`}
            >
              {s.label}
            </Link>
          ))}
        </div>
      )}
      <details className="diagnosis-evidence" open={headline}>
        <summary>Evidence ({f.evidence.length})</summary>
        <ul>
          {f.evidence.map((e, i) => (
            <EvidenceItem key={i} evidence={e} podRef={podRef} />
          ))}
        </ul>
      </details>
      {f.gaps.length > 0 && (
        <ul className="diagnosis-gaps" data-testid="diagnosis-gaps">
          {f.gaps.map((g) => (
            <li key={g}>{g}</li>
          ))}
        </ul>
      )}
    </div>
  );
}

function EvidenceItem({ evidence: e, podRef }: { evidence: Evidence; podRef: PodRef }) {
  const now = useNow(10_000);
  const url = evidenceUrl(e, podRef);
  const label = url ? <Link to={url}>{e.label}</Link> : <span>{e.label}</span>;
  const when = (ts: string | null) =>
    ts ? (
      <time dateTime={ts} title={formatDateTime(ts)} className="muted">
        {' '}
        · {formatAge(ts, now)} ago
      </time>
    ) : null;
  switch (e.kind) {
    case 'field':
      return (
        <li data-testid="diagnosis-evidence" data-kind="field">
          {label}:{' '}
          <code className="wrap-anywhere">
            {e.object ? `${e.object} ` : ''}
            {e.path}
          </code>{' '}
          = <code className="wrap-anywhere">{e.value}</code>
          {when(e.time)}
        </li>
      );
    case 'event':
      return (
        <li data-testid="diagnosis-evidence" data-kind="event">
          {label}: <strong>{e.reason}</strong>
          {e.count > 1 ? ` ×${e.count}` : ''} — <span className="wrap-anywhere">{e.message}</span>
          {when(e.lastSeen)}
        </li>
      );
    case 'log':
      return (
        <li data-testid="diagnosis-evidence" data-kind="log">
          {label}: <code className="wrap-anywhere">{e.text}</code>
          {when(e.time)}
        </li>
      );
  }
}
