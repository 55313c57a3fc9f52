import { Link } from 'react-router-dom';
import { apiPaths } from '../common/api-paths.js';
import { ErrorBanner } from '../common/ErrorBanner.js';
import { isWorkloadKind, routes, WORKLOAD_KINDS } from '../common/routes.js';
import { useDocumentTitle } from '../common/use-document-title.js';
import { MergedLogsView } from './MergedLogsView.js';

interface WorkloadLogsPageProps {
  cluster: string;
  namespace: string;
  kind: string;
  name: string;
}

export function WorkloadLogsPage({ cluster, namespace, kind, name }: WorkloadLogsPageProps) {
  useDocumentTitle(`Logs of ${kind} ${name}`);
  if (!isWorkloadKind(kind)) {
    return (
      <ErrorBanner message={`"${kind}" is not a workload kind; use one of: ${WORKLOAD_KINDS.join(', ')}.`} />
    );
  }
  return (
    <>
      <h1 className="page-title">
        Logs of {kind} <span className="mono">{name}</span>
        <Link to={routes.pods(cluster, namespace)} className="muted" style={{ fontSize: 13 }}>
          back to pods
        </Link>
      </h1>
      <MergedLogsView
        streamPath={apiPaths.workloadLogsStream(cluster, namespace, kind, name)}
        fixedQuery={{}}
        downloadName={`${kind}_${name}.log`}
      />
    </>
  );
}
