import { Link } from 'react-router-dom';
import type { NamespaceDiagnosis } from '../../shared/diagnosis/types.js';
import { apiPaths } from '../common/api-paths.js';
import { routes } from '../common/routes.js';
import { useDiagnosis } from './use-diagnosis.js';
import './diagnosis.css';

interface NamespaceProblemsProps {
  cluster: string;
  namespace: string;
  /** Changes when the pod list's problems change, to diagnose again. */
  refreshKey: string;
}

const MARK = { error: '✖', warning: '!', info: 'i' } as const;

/** The namespace's problem pods grouped by cause: "3 pods cannot pull reg/x:1.2 — tag not found". */
export function NamespaceProblems({ cluster, namespace, refreshKey }: NamespaceProblemsProps) {
  const { data } = useDiagnosis<NamespaceDiagnosis>(
    apiPaths.namespaceDiagnosis(cluster, namespace),
    refreshKey,
  );
  if (!data || data.groups.length === 0) return null;
  return (
    <details className="causes" open data-testid="namespace-causes">
      <summary>
        <strong>Problems by cause</strong>{' '}
        <span className="muted">
          ({data.problemPods} of {data.pods} pods)
        </span>
      </summary>
      <ul>
        {data.groups.map((g) => (
          <li key={`${g.id}/${g.cause}`} data-testid="namespace-cause" data-id={g.id}>
            <span className={g.severity === 'error' ? 'tone-error' : 'tone-warn'} aria-hidden="true">
              {MARK[g.severity]}
            </span>{' '}
            {g.sentence}:{' '}
            {g.pods.map((pod, i) => (
              <span key={pod}>
                {i > 0 && ', '}
                <Link className="mono" to={routes.pod(cluster, namespace, pod)}>
                  {pod}
                </Link>
              </span>
            ))}
          </li>
        ))}
      </ul>
    </details>
  );
}
