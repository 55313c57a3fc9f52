import { useId, useState, type FormEvent } from 'react';
import type { PodDetail } from '../../shared/api.js';
import type { DebugOptions, DebugPodCreated, DebugProfile } from '../../shared/debug/debug-api.js';
import { errorMessage } from '../common/api-client.js';
import { ErrorBanner } from '../common/ErrorBanner.js';
import { ImageField, ProfileField } from './DebugFields.js';
import { CopyPlanList } from './CopyPlanList.js';
import { DebugPodCard } from './DebugPodCard.js';
import { copyBody, copyTargets, defaultCopyTarget, initContainersBefore } from './debug-forms.js';
import { debugPaths } from './debug-paths.js';
import { useLeasedPods, useLeaseStore } from './LeaseProvider.js';
import { requestJson } from './request-json.js';
import { useCopyPlan } from './use-copy-plan.js';
import { DeniedReason, useActionState } from '../permissions/PodPermissions.js';

interface Props {
  cluster: string;
  namespace: string;
  pod: PodDetail;
  options: DebugOptions;
}

/**
 * A copy of the pod whose container (app or init) sleeps instead of crashing: no probes, nothing that
 * adopts or counts it, always cleaned up — with what it changes shown before it is created.
 */
export function CopySection({ cluster, namespace, pod, options }: Props) {
  const store = useLeaseStore();
  const leased = useLeasedPods().filter(
    (p) =>
      p.kind === 'copy' &&
      p.cluster === cluster &&
      (p.fromPod === `${namespace}/${pod.name}` || (p.namespace === namespace && p.pod === pod.name)),
  );
  const targets = copyTargets(pod.containers);
  const [container, setContainer] = useState(() => defaultCopyTarget(pod.containers));
  const [runInitContainers, setRunInitContainers] = useState(true);
  const [keepLabels, setKeepLabels] = useState(false);
  const [replaceImage, setReplaceImage] = useState(false);
  const [image, setImage] = useState(options.defaultImage);
  const [sameNode, setSameNode] = useState(false);
  const [profile, setProfile] = useState<DebugProfile>(options.defaultProfile);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const body = copyBody({ container, runInitContainers, keepLabels, replaceImage, image, sameNode, profile });
  const plan = useCopyPlan(debugPaths.copyPlan(cluster, namespace, pod.name), body.ok ? body.value : null);
  const before = initContainersBefore(pod.containers, container);
  const isInit = targets.some((t) => t.name === container && t.kind === 'init');
  const refused = plan.state === 'error' && plan.refused;
  const allowed = useActionState('pod-copy');
  const deniedId = useId();

  const onSubmit = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    if (busy || !body.ok || allowed.disabled) return;
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
        For a container that crashes on start, or an init container that fails: a copy of this pod is created
        with the container&apos;s command replaced by <code>sleep</code> and its health checks removed, so you
        can open a shell and run the step by hand. No controller adopts or counts the copy, and it gets no
        Service traffic. It lives while this browser tab holds its lease, and is deleted shortly after you
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
              {(['app', 'init'] as const).map((kind) => {
                const list = targets.filter((t) => t.kind === kind);
                if (list.length === 0) return null;
                return (
                  <optgroup key={kind} label={kind === 'app' ? 'App containers' : 'Init containers'}>
                    {list.map((t) => (
                      <option key={t.name} value={t.name}>
                        {t.name}
                        {kind === 'init' ? ' (init)' : ''}
                      </option>
                    ))}
                  </optgroup>
                );
              })}
            </select>
          </label>
        </div>
        {isInit && (
          <p className="muted debug-hint" data-testid="copy-init-hint">
            The copy runs this init container as its app container, with its image, env and mounts, so you can
            rerun the failing step by hand. The app containers are left out.
          </p>
        )}
        {before.length > 0 && (
          <label className="debug-check">
            <input
              type="checkbox"
              checked={runInitContainers}
              onChange={(e) => setRunInitContainers(e.target.checked)}
              disabled={busy}
              data-testid="copy-run-init"
            />
            <span>
              Run the init containers before it first ({before.join(', ')})
              <span className="muted debug-hint">
                As in the original, so the copy starts with what they prepare. Turn off when one has side
                effects (a migration) or waits for something that is down. Sidecars keep running either way.
              </span>
            </span>
          </label>
        )}
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
              Turn on when NetworkPolicies select this pod by its labels and the copy must be allowed the same
              connections. Labels a controller (ReplicaSet, DaemonSet, StatefulSet, Job…) would adopt the copy
              by are still dropped, and the copy is never Ready, so Services send it no traffic.
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
        <section
          className="copy-plan"
          aria-labelledby="copy-plan-title"
          data-testid="copy-plan"
          data-state={plan.state}
        >
          <h3 id="copy-plan-title">What the copy changes</h3>
          <div aria-live="polite">
            {plan.state === 'loading' && <p className="muted">Checking the pod and its namespace…</p>}
            {plan.state === 'ready' && <CopyPlanList plan={plan.plan} testPrefix="copy-plan" />}
            {plan.state === 'error' && (
              <p
                className={plan.refused ? 'banner banner-error' : 'banner banner-warn'}
                data-testid="copy-plan-error"
              >
                {plan.message}
              </p>
            )}
          </div>
        </section>
        <div className="toolbar">
          <button
            type="submit"
            className="btn btn-primary"
            disabled={busy || !body.ok || refused || allowed.disabled}
            title={!body.ok ? body.error : refused ? plan.message : undefined}
            aria-describedby={allowed.disabled ? deniedId : undefined}
            data-testid="copy-create"
          >
            {busy ? 'Creating…' : 'Create copy'}
          </button>
          <DeniedReason id={deniedId} state={allowed} testId="copy-create-denied" />
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
