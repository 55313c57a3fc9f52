import { useEffect } from 'react';
import type { PodDetail } from '../../shared/api.js';
import { apiPaths, withQuery } from '../common/api-paths.js';
import { downloadQuery, effectiveFollow, podStreamQuery } from './log-options.js';
import { ContainerPicker } from './ContainerPicker.js';
import { defaultLogContainer } from './default-container.js';
import { LogViewer } from './LogViewer.js';
import { RangeControls } from './RangeControls.js';
import { Toggle } from './Toggle.js';
import { useLogOptions } from './use-log-options.js';
import { useActionState } from '../permissions/PodPermissions.js';

interface PodLogsTabProps {
  cluster: string;
  namespace: string;
  pod: PodDetail;
}

/** `kubectl logs POD -c C` in the browser: one container's output, live. */
export function PodLogsTab({ cluster, namespace, pod }: PodLogsTabProps) {
  const [options, setOptions] = useLogOptions();
  const container = options.container ?? defaultLogContainer(pod.containers);
  // Pin the default in the URL, so the stream does not jump to another container as the pod's state changes.
  useEffect(() => {
    if (options.container === null && container !== null) setOptions({ container });
  }, [options.container, container, setOptions]);
  const streamPath = apiPaths.podLogsStream(cluster, namespace, pod.name);
  const initialPath =
    container === null ? null : withQuery(streamPath, podStreamQuery(options, container, null));
  const resumePath = (sinceTime: string): string =>
    withQuery(streamPath, podStreamQuery(options, container, sinceTime));
  const downloadHref =
    container === null
      ? null
      : withQuery(apiPaths.podLogs(cluster, namespace, pod.name), downloadQuery(options, container));
  const selected = pod.containers.find((c) => c.name === container) ?? null;
  const hasPrevious = selected ? selected.restartCount > 0 || selected.lastTermination !== null : true;
  const allowed = useActionState('logs');
  if (allowed.disabled) {
    // Nothing to stream: Kubernetes would refuse it. Say what is missing instead.
    return (
      <div className="tab-panel">
        <p className="banner banner-warn permission-denied-banner" data-testid="logs-denied">
          {allowed.reason}
        </p>
      </div>
    );
  }

  return (
    <div className="tab-panel">
      <LogViewer
        // A new stream (container, range, previous, follow) starts from an empty view.
        key={initialPath ?? ''}
        initialPath={initialPath}
        resumePath={resumePath}
        options={options}
        onOptions={setOptions}
        downloadHref={downloadHref}
        downloadName={`${pod.name}_${container ?? 'logs'}${options.previous ? '_previous' : ''}.log`}
        merged={false}
        streamControls={
          <>
            <ContainerPicker
              containers={pod.containers}
              value={container}
              onChange={(name) => setOptions({ container: name })}
            />
            <RangeControls options={options} onOptions={setOptions} />
            <Toggle
              label="Previous"
              pressed={options.previous}
              onChange={(previous) => setOptions({ previous })}
              testId="log-previous-toggle"
              title={
                hasPrevious
                  ? 'Output of the instance before the last restart (kubectl logs --previous)'
                  : 'This container has not restarted; there is no previous instance'
              }
            />
            <Toggle
              label="Follow"
              pressed={effectiveFollow(options)}
              disabled={options.previous}
              onChange={(follow) => setOptions({ follow })}
              testId="log-follow-toggle"
              title={
                options.previous
                  ? 'A previous instance has ended; there is nothing to follow'
                  : 'Stream new lines live'
              }
            />
          </>
        }
      />
    </div>
  );
}
