import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { Link } from 'react-router-dom';
import type { PodDetail } from '../../shared/api.js';
import type {
  DebugContainerCreated,
  DebugContainerView,
  DebugOptions,
  DebugProfile,
} from '../../shared/debug/debug-api.js';
import { errorMessage } from '../common/api-client.js';
import { ErrorBanner } from '../common/ErrorBanner.js';
import { routes } from '../common/routes.js';
import { useJson } from '../common/use-json.js';
import { filesHref } from '../files/file-links.js';
import { ImageField, ProfileField } from './DebugFields.js';
import { appContainerNames, debugContainerBody, defaultDebugTarget } from './debug-forms.js';
import { debugPaths, terminalHref } from './debug-paths.js';
import { requestJson } from './request-json.js';
import { DeniedReason, useActionState } from '../permissions/PodPermissions.js';

interface Props {
  cluster: string;
  namespace: string;
  pod: PodDetail;
  options: DebugOptions;
}

/** A tools container started inside the pod, in the target container's namespaces (ephemeral). */
export function DebugContainerSection({ cluster, namespace, pod, options }: Props) {
  const targets = appContainerNames(pod.containers);
  const [target, setTarget] = useState(() => defaultDebugTarget(pod.containers));
  const [image, setImage] = useState(options.defaultImage);
  const [profile, setProfile] = useState<DebugProfile>(options.defaultProfile);
  const [runAsUser, setRunAsUser] = useState('');
  const [runAsGroup, setRunAsGroup] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [created, setCreated] = useState<DebugContainerCreated | null>(null);
  const body = debugContainerBody({ target, image, profile, runAsUser, runAsGroup });
  const list = useDebugContainers(cluster, namespace, pod);
  const allowed = useActionState('debug-container');
  const deniedId = useId();

  const onSubmit = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    if (busy || !body.ok || allowed.disabled) return;
    setBusy(true);
    setError(null);
    setCreated(null);
    try {
      const result = await requestJson<DebugContainerCreated>(
        'POST',
        debugPaths.debugContainers(cluster, namespace, pod.name),
        body.value,
      );
      setCreated(result);
      list.reload();
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="debug-section" aria-labelledby="debug-container-title">
      <h2 id="debug-container-title">Debug container</h2>
      <p className="muted">
        Starts a tools image inside this pod, sharing the chosen container&apos;s process, network and IPC
        namespaces, so you can run ps, strace, curl or tcpdump against the app while it runs. Kubernetes
        cannot remove a debug container from a pod; it stops when its shell exits, and an identical running
        one is reused.
      </p>
      <form className="debug-form" onSubmit={(e) => void onSubmit(e)} aria-label="Start a debug container">
        <div className="toolbar">
          <label className="field">
            Target container
            <select
              value={target}
              onChange={(e) => setTarget(e.target.value)}
              disabled={busy}
              data-testid="debug-target"
            >
              {targets.map((name) => (
                <option key={name} value={name}>
                  {name}
                </option>
              ))}
            </select>
          </label>
          <ImageField
            options={options}
            value={image}
            onChange={setImage}
            disabled={busy}
            testId="debug-image"
          />
        </div>
        <ProfileField
          options={options}
          value={profile}
          onChange={setProfile}
          disabled={busy}
          testId="debug-profile"
        />
        <div className="toolbar">
          <label className="field">
            Run as user
            <input
              type="text"
              inputMode="numeric"
              className={`debug-id${body.ok || !runAsUser ? '' : ' invalid'}`}
              value={runAsUser}
              onChange={(e) => setRunAsUser(e.target.value)}
              placeholder="automatic"
              disabled={busy}
              data-testid="debug-run-as-user"
            />
          </label>
          <label className="field">
            group
            <input
              type="text"
              inputMode="numeric"
              className="debug-id"
              value={runAsGroup}
              onChange={(e) => setRunAsGroup(e.target.value)}
              placeholder="automatic"
              disabled={busy}
              data-testid="debug-run-as-group"
            />
          </label>
          <button
            type="submit"
            className="btn btn-primary"
            disabled={busy || !body.ok || allowed.disabled}
            title={body.ok ? undefined : body.error}
            aria-describedby={allowed.disabled ? deniedId : undefined}
            data-testid="debug-start"
          >
            {busy ? 'Starting…' : 'Start'}
          </button>
        </div>
        <DeniedReason id={deniedId} state={allowed} testId="debug-start-denied" />
        <p className="muted debug-hint">
          Leave the user empty to let Podscope choose: in a pod that requires non-root users it runs as the
          app&apos;s user (or 65534, nobody, if the pod names none), so the image is not refused; otherwise as
          the image&apos;s own user, like kubectl. Give a user to read files only that user can read.
        </p>
        {!body.ok && (runAsUser || runAsGroup) && (
          <p className="tone-error" role="alert">
            {body.error}
          </p>
        )}
      </form>
      {busy && (
        <p className="muted" role="status">
          Adding the debug container and waiting for it to run…
        </p>
      )}
      {error && <ErrorBanner message={error} />}
      {created && (
        <div className="banner banner-info debug-created" role="status" data-testid="debug-created">
          <span>
            Debug container <strong className="mono">{created.container}</strong>{' '}
            {created.reused ? 'was already running with these settings and is reused' : 'is running'}; it runs
            as {created.user}.
          </span>
          <Link
            className="btn btn-primary"
            to={terminalHref(cluster, created.namespace, created.pod, created.container)}
            data-testid="debug-open-terminal"
          >
            Open terminal
          </Link>
          <Link
            className="btn"
            to={filesHref(cluster, created.namespace, created.pod, {
              container: target,
              via: created.container,
            })}
            data-testid="debug-open-files"
          >
            Browse files through it
          </Link>
          {created.auditSession && (
            <Link className="muted" to={routes.auditSession(created.auditSession)}>
              Audit record
            </Link>
          )}
        </div>
      )}
      <DebugContainerTable
        cluster={cluster}
        namespace={namespace}
        pod={pod.name}
        containers={list.data?.containers ?? null}
        error={list.error}
      />
    </section>
  );
}

/** The pod's debug containers, fetched again whenever the pod watch shows one appear or change state. */
function useDebugContainers(cluster: string, namespace: string, pod: PodDetail) {
  const list = useJson<{ containers: DebugContainerView[] }>(
    debugPaths.debugContainers(cluster, namespace, pod.name),
  );
  const signature = pod.containers
    .filter((c) => c.kind === 'ephemeral')
    .map((c) => `${c.name}:${c.state}`)
    .join(',');
  const seen = useRef(signature);
  const { reload } = list;
  useEffect(() => {
    if (seen.current === signature) return;
    seen.current = signature;
    reload();
  }, [signature, reload]);
  return list;
}

interface TableProps {
  cluster: string;
  namespace: string;
  pod: string;
  containers: DebugContainerView[] | null;
  error: string | null;
}

function DebugContainerTable({ cluster, namespace, pod, containers, error }: TableProps) {
  if (error) return <ErrorBanner message={`Could not list the debug containers: ${error}`} />;
  if (containers === null) return <p className="muted">Loading the debug containers…</p>;
  if (containers.length === 0) {
    return (
      <p className="muted" data-testid="debug-containers-empty">
        This pod has no debug containers yet.
      </p>
    );
  }
  return (
    <div className="table-wrap">
      <table className="data" data-testid="debug-containers">
        <thead>
          <tr>
            <th>Debug container</th>
            <th>Target</th>
            <th>Image</th>
            <th>Profile</th>
            <th>User</th>
            <th>State</th>
            <th>
              <span className="visually-hidden">Terminal</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {containers.map((c) => (
            <tr key={c.name} data-testid={`debug-container-row-${c.name}`} data-state={c.state}>
              <td className="mono wrap-anywhere">{c.name}</td>
              <td className="mono">{c.target ?? '—'}</td>
              <td className="mono wrap-anywhere">{c.image ?? '—'}</td>
              <td>{c.profile ?? <span className="muted">not made by Podscope</span>}</td>
              <td>{c.runAsUser ?? <span className="muted">image default</span>}</td>
              <td>
                <span
                  className={
                    c.state === 'running' ? 'tone-ok' : c.state === 'waiting' ? 'tone-warn' : 'tone-muted'
                  }
                >
                  {c.state}
                </span>
                {stateDetail(c) && <div className="muted">{stateDetail(c)}</div>}
              </td>
              <td>
                {c.state === 'running' && (
                  <Link
                    className="btn btn-small"
                    to={terminalHref(cluster, namespace, pod, c.name)}
                    data-testid={`debug-container-terminal-${c.name}`}
                  >
                    Terminal
                  </Link>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function stateDetail(c: DebugContainerView): string | null {
  if (c.state === 'finished') {
    return (
      [c.reason, c.exitCode !== null ? `exit code ${c.exitCode}` : null].filter(Boolean).join(', ') || null
    );
  }
  if (c.state === 'waiting') return [c.reason, c.message].filter(Boolean).join(': ') || null;
  return null;
}
