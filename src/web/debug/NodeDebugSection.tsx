import { useId, useState, type FormEvent } from 'react';
import type { PodDetail } from '../../shared/api.js';
import type { DebugOptions, DebugPodCreated, DebugProfile } from '../../shared/debug/debug-api.js';
import { errorMessage } from '../common/api-client.js';
import { ErrorBanner } from '../common/ErrorBanner.js';
import { ImageField, ProfileField } from './DebugFields.js';
import { DebugPodCard } from './DebugPodCard.js';
import { nodeDebugBody } from './debug-forms.js';
import { debugPaths } from './debug-paths.js';
import { useLeasedPods, useLeaseStore } from './LeaseProvider.js';
import { requestJson } from './request-json.js';
import { DeniedReason, useActionState } from '../permissions/PodPermissions.js';

interface Props {
  cluster: string;
  namespace: string;
  pod: PodDetail;
  options: DebugOptions;
}

/** A pod on this pod's node, in the host's namespaces, with the node's / at /host (`kubectl debug node/…`). */
export function NodeDebugSection({ cluster, namespace, pod, options }: Props) {
  const store = useLeaseStore();
  const leased = useLeasedPods().filter(
    (p) => p.kind === 'node' && p.cluster === cluster && p.fromPod === `${namespace}/${pod.name}`,
  );
  const [node, setNode] = useState(pod.node ?? '');
  const [image, setImage] = useState(options.defaultImage);
  const [profile, setProfile] = useState<DebugProfile>(options.defaultProfile);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const allowed = useActionState('node-debug');
  const deniedId = useId();

  const onSubmit = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    const name = node.trim();
    if (busy || !name || allowed.disabled) return;
    setBusy(true);
    setError(null);
    try {
      const created = await requestJson<DebugPodCreated>(
        'POST',
        debugPaths.nodeDebug(cluster, name),
        nodeDebugBody({ image, profile }),
      );
      store.add(cluster, `${namespace}/${pod.name}`, name, created);
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  // Not offered on this cluster (no config rule enables node debugging): nothing to show.
  if (allowed.hidden && leased.length === 0) return null;
  return (
    <section className="debug-section" aria-labelledby="debug-node-title">
      <h2 id="debug-node-title">Debug the node</h2>
      <p className="muted">
        Starts a pod on the node in the host&apos;s namespaces, for problems below the container: the kubelet,
        containerd, disk, the node&apos;s network. Most profiles mount the node&apos;s root at{' '}
        <code>/host</code>. It needs permission to create privileged pods in the namespace; like a copy, it
        lives while this tab holds its lease.
      </p>
      <form className="debug-form" onSubmit={(e) => void onSubmit(e)} aria-label="Debug the node">
        <div className="toolbar">
          <label className="field">
            Node
            <input
              type="text"
              className="mono"
              value={node}
              onChange={(e) => setNode(e.target.value)}
              placeholder={pod.node ? undefined : 'the pod is not scheduled yet'}
              disabled={busy}
              spellCheck={false}
              data-testid="node-debug-node"
            />
          </label>
          <p className="field muted" data-testid="node-debug-namespace">
            Namespace <code>{options.nodeDebugNamespace}</code> (set by the server)
          </p>
          <ImageField
            options={options}
            value={image}
            onChange={setImage}
            disabled={busy}
            testId="node-debug-image"
          />
        </div>
        <ProfileField
          options={options}
          value={profile}
          onChange={setProfile}
          disabled={busy}
          testId="node-debug-profile"
        />
        <div className="toolbar">
          <button
            type="submit"
            className="btn btn-primary"
            disabled={busy || !node.trim() || allowed.disabled}
            aria-describedby={allowed.disabled ? deniedId : undefined}
            data-testid="node-debug-create"
          >
            {busy ? 'Creating…' : 'Create node debug pod'}
          </button>
          <DeniedReason id={deniedId} state={allowed} testId="node-debug-denied" />
          {busy && (
            <span className="muted" role="status">
              Creating the pod on {node} and waiting for it to run…
            </span>
          )}
        </div>
      </form>
      {error && <ErrorBanner message={error} />}
      {leased.map((p) => (
        <DebugPodCard key={p.key} pod={p} testPrefix="node" />
      ))}
    </section>
  );
}
