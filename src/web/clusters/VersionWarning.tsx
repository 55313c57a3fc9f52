import { useState } from 'react';
import { useClusters } from './use-clusters.js';

const dismissedKey = (cluster: string, version: string) => `podscope.versionWarning.${cluster}.${version}`;

/**
 * Says once (until dismissed, per cluster and version) that the cluster runs a Kubernetes version
 * outside the supported range. The server logs the same sentence at start-up.
 */
export function VersionWarning({ cluster }: { cluster: string }) {
  const { data: clusters } = useClusters();
  const [dismissed, setDismissed] = useState<string | null>(null);
  const info = clusters?.find((c) => c.name === cluster)?.version;
  if (!info?.warning) return null;
  const key = dismissedKey(cluster, info.gitVersion ?? 'unknown');
  if (dismissed === key || sessionStorage.getItem(key) === '1') return null;
  return (
    <div className="banner banner-warn" role="status" data-testid="version-warning">
      <span>{info.warning}</span>
      <button
        type="button"
        className="btn"
        onClick={() => {
          sessionStorage.setItem(key, '1');
          setDismissed(key);
        }}
      >
        Dismiss
      </button>
    </div>
  );
}
