import { useNavigate } from 'react-router-dom';
import { routes } from '../common/routes.js';
import { startNamespace, useClusters } from './use-clusters.js';

export function ClusterSwitcher({ cluster }: { cluster: string }) {
  const { data: clusters } = useClusters();
  const navigate = useNavigate();
  const known = clusters ?? [];
  const options = known.some((c) => c.name === cluster)
    ? known
    : [...known, { name: cluster, defaultNamespace: null }];
  return (
    <label className="field">
      Cluster
      <select
        value={cluster}
        onChange={(e) => {
          const next = known.find((c) => c.name === e.target.value);
          navigate(routes.pods(e.target.value, startNamespace(next)));
        }}
        data-testid="cluster-switcher"
      >
        {options.map((c) => (
          <option key={c.name} value={c.name}>
            {c.name}
          </option>
        ))}
      </select>
    </label>
  );
}
