import { useState, type FormEvent } from 'react';
import type { PodDetail } from '../../shared/api.js';
import type { DebugOptions, DebugPodCreated, DebugProfile } from '../../shared/debug/debug-api.js';
import { errorMessage } from '../common/api-client.js';
import { ErrorBanner } from '../common/ErrorBanner.js';
import { ImageField, ProfileField } from './DebugFields.js';
import { DebugPodCard } from './DebugPodCard.js';
import { appContainerNames, copyBody, defaultDebugTarget } from './debug-forms.js';
import { debugPaths } from './debug-paths.js';
import { useLeasedPods, useLeaseStore } from './LeaseProvider.js';
import { requestJson } from './request-json.js';

interface Props {
  cluster: string;
  namespace: string;
  pod: PodDetail;
  options: DebugOptions;
}

/** A copy of the pod whose container sleeps instead of crashing: no probes, no labels, always cleaned up. */
export function CopySection({ cluster, namespace, pod, options }: Props) {
  const store = useLeaseStore();
  const leased = useLeasedPods().filter(
    (p) =>
      p.kind === 'copy' &&
      p.cluster === cluster &&
      (p.fromPod === `${namespace}/${pod.name}` || (p.namespace === namespace && p.pod === pod.name)),
  );
  const containers = appContainerNames(pod.containers);
  const [container, setContainer] = useState(() => defaultDebugTarget(pod.containers));
  const [keepLabels, setKeepLabels] = useState(false);
  const [replaceImage, setReplaceImage] = useState(false);
  const [image, setImage] = useState(options.defaultImage);
  const [sameNode, setSameNode] = useState(false);
  const [profile, setProfile] = useState<DebugProfile>(options.defaultProfile);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const body = copyBody({ container, keepLabels, replaceImage, image, sameNode, profile });

  const onSubmit = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    if (busy || !body.ok) return;
    setBusy(true);
    setError(null);
    try {
      const created = await requestJson<DebugPodCreated>(
        'POST',
        debugPaths.copies(cluster, namespace, pod.name),
        body.value,
      );
      store.add(cluster, `${namespace}/${pod.name}`, null, created);
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="debug-section" aria-labelledby="debug-copy-title">
      <h2 id="debug-copy-title">Debug a copy</h2>
      <p className="muted">
        For a container that crashes on start: a copy of this pod is created with the container&apos;s command
        replaced by <code>sleep</code> and its health checks removed, so you can open a shell and start the
        app by hand. The copy lives while this browser tab holds its lease, and is deleted shortly after you
        close the tab (or at once with &ldquo;Delete copy now&rdquo;).
      </p>
      <form className="debug-form" onSubmit={(e) => void onSubmit(e)} aria-label="Debug a copy">
        <div className="toolbar">
          <label className="field">
            Container
            <select
              value={container}
              onChange={(e) => setContainer(e.target.value)}
              disabled={busy}
              data-testid="copy-container"
            >
              {containers.map((name) => (
                <option key={name} value={name}>
                  {name}
                </option>
              ))}
            </select>
          </label>
        </div>
        <label className="debug-check">
          <input
            type="checkbox"
            checked={keepLabels}
            onChange={(e) => setKeepLabels(e.target.checked)}
            disabled={busy}
            data-testid="copy-keep-labels"
          />
          <span>
            Keep labels
            <span className="muted debug-hint">
              Off by default, so no Service sends the copy traffic and no controller adopts it. Turn on when
              NetworkPolicies select this pod by its labels and the copy must be allowed the same connections
              (it may then also receive Service traffic).
            </span>
          </span>
        </label>
        <label className="debug-check">
          <input
            type="checkbox"
            checked={replaceImage}
            onChange={(e) => setReplaceImage(e.target.checked)}
            disabled={busy}
            data-testid="copy-replace-image"
          />
          <span>
            Replace the container image with a tools image
            <span className="muted debug-hint">
              For images without <code>sleep</code> or a shell; the copy then has the tools but not the
              app&apos;s files.
            </span>
          </span>
        </label>
        {replaceImage && (
          <div className="toolbar debug-indent">
            <ImageField
              options={options}
              value={image}
              onChange={setImage}
              disabled={busy}
              testId="copy-image"
            />
          </div>
        )}
        <label className="debug-check">
          <input
            type="checkbox"
            checked={sameNode}
            onChange={(e) => setSameNode(e.target.checked)}
            disabled={busy}
            data-testid="copy-same-node"
          />
          <span>
            Same node
            <span className="muted debug-hint">
              Schedule the copy on{' '}
              {pod.node ? <span className="mono">{pod.node}</span> : "the original's node"}, to debug
              something node-specific (local volumes, the node&apos;s network).
            </span>
          </span>
        </label>
        <ProfileField
          options={options}
          value={profile}
          onChange={setProfile}
          disabled={busy}
          testId="copy-profile"
        />
        <div className="toolbar">
          <button
            type="submit"
            className="btn btn-primary"
            disabled={busy || !body.ok}
            title={body.ok ? undefined : body.error}
            data-testid="copy-create"
          >
            {busy ? 'Creating…' : 'Create copy'}
          </button>
          {busy && (
            <span className="muted" role="status">
              Creating the copy and waiting for it to run…
            </span>
          )}
        </div>
      </form>
      {error && <ErrorBanner message={error} />}
      {leased.map((p) => (
        <DebugPodCard key={p.key} pod={p} testPrefix="copy" />
      ))}
    </section>
  );
}
