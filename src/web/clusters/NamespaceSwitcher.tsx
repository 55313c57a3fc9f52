import { useState } from 'react';
import { useNavigate } from 'react-router-dom';
import { routes } from '../common/routes.js';
import { useNamespaces } from './use-clusters.js';

interface NamespaceSwitcherProps {
  cluster: string;
  namespace: string;
  /** Where switching goes: the same kind of page in the other namespace. */
  section: 'pods' | 'events';
}

/**
 * A namespace picker over the namespaces the person can work in (the server asks Kubernetes as them).
 * A user for whom none is known still gets a text field, since they may well be allowed into the one
 * they type.
 */
export function NamespaceSwitcher({ cluster, namespace, section }: NamespaceSwitcherProps) {
  const { data: namespaces, error } = useNamespaces(cluster);
  const navigate = useNavigate();
  const go = (ns: string): void => {
    if (!ns || ns === namespace) return;
    navigate(section === 'events' ? routes.events(cluster, ns) : routes.pods(cluster, ns));
  };
  // Nothing known to be workable (or the list could not be read): they may still be allowed into the
  // one they type.
  if (error || !namespaces || namespaces.length === 0) {
    return <NamespaceInput key={namespace} namespace={namespace} onGo={go} />;
  }
  const names = namespaces.map((n) => n.name);
  if (!names.includes(namespace)) names.unshift(namespace);
  return (
    <label className="field">
      Namespace
      <select value={namespace} onChange={(e) => go(e.target.value)} data-testid="namespace-switcher">
        {names.map((n) => (
          <option key={n} value={n}>
            {n}
          </option>
        ))}
      </select>
    </label>
  );
}

function NamespaceInput({ namespace, onGo }: { namespace: string; onGo: (ns: string) => void }) {
  const [draft, setDraft] = useState(namespace);
  return (
    <form
      className="field"
      onSubmit={(e) => {
        e.preventDefault();
        onGo(draft.trim());
      }}
    >
      <label className="field">
        Namespace
        <input
          type="text"
          value={draft}
          onChange={(e) => setDraft(e.target.value)}
          size={16}
          spellCheck={false}
          data-testid="namespace-switcher"
        />
      </label>
    </form>
  );
}
