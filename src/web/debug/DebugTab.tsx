import type { PodDetail } from '../../shared/api.js';
import type { DebugOptions } from '../../shared/debug/debug-api.js';
import { ErrorBanner } from '../common/ErrorBanner.js';
import { useJson } from '../common/use-json.js';
import { CopySection } from './CopySection.js';
import { DebugContainerSection } from './DebugContainerSection.js';
import { debugPaths } from './debug-paths.js';
import { NodeDebugSection } from './NodeDebugSection.js';
import './debug.css';

interface DebugTabProps {
  cluster: string;
  namespace: string;
  pod: PodDetail;
}

/** `kubectl debug` in three forms: a debug container in the pod, a copy of the pod, a pod on its node. */
export function DebugTab({ cluster, namespace, pod }: DebugTabProps) {
  const options = useJson<DebugOptions>(debugPaths.options(cluster));
  if (options.error) return <ErrorBanner message={options.error} onRetry={options.reload} />;
  if (!options.data) return <p className="muted">Loading the debug options…</p>;
  return (
    <div className="tab-panel debug-panel">
      <DebugContainerSection cluster={cluster} namespace={namespace} pod={pod} options={options.data} />
      <CopySection cluster={cluster} namespace={namespace} pod={pod} options={options.data} />
      <NodeDebugSection cluster={cluster} namespace={namespace} pod={pod} options={options.data} />
    </div>
  );
}
