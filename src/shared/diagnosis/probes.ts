// Probes: what a container's probe checks (from its spec) and what the kubelet saw when it failed (from the
// `Unhealthy` events it records: "<Type> probe failed: <output>", "<Type> probe errored…: <error>").

import { asArray, asNumber, asRecord, asString, type JsonRecord } from '../validation/json.js';

export type ProbeType = 'liveness' | 'readiness' | 'startup';

export interface ProbeSpec {
  type: ProbeType;
  /** `HTTP GET /healthz on port 8080`, `exec cat /tmp/alive`, `TCP connect to port 5432`, `gRPC on port 9090`. */
  action: string;
  initialDelaySeconds: number;
  periodSeconds: number;
  timeoutSeconds: number;
  failureThreshold: number;
  /** `spec.containers[name="app"].livenessProbe` */
  path: string;
}

const FIELD: Record<ProbeType, string> = {
  liveness: 'livenessProbe',
  readiness: 'readinessProbe',
  startup: 'startupProbe',
};

/** The probe of that type in a container spec, with Kubernetes' defaults filled in. */
export function probeSpec(container: JsonRecord, type: ProbeType, containerPath: string): ProbeSpec | null {
  const raw = container[FIELD[type]];
  if (raw === undefined || raw === null) return null;
  const p = asRecord(raw);
  return {
    type,
    action: probeAction(p),
    initialDelaySeconds: asNumber(p['initialDelaySeconds']) ?? 0,
    periodSeconds: asNumber(p['periodSeconds']) ?? 10,
    timeoutSeconds: asNumber(p['timeoutSeconds']) ?? 1,
    // A startup probe's default threshold is 3 as well; readiness and liveness too.
    failureThreshold: asNumber(p['failureThreshold']) ?? 3,
    path: `${containerPath}.${FIELD[type]}`,
  };
}

function probeAction(p: JsonRecord): string {
  const http = asRecord(p['httpGet']);
  if (p['httpGet']) {
    const scheme = asString(http['scheme']) === 'HTTPS' ? 'HTTPS' : 'HTTP';
    const host = asString(http['host']);
    return `${scheme} GET ${asString(http['path']) ?? '/'} on port ${String(http['port'] ?? '?')}${host ? ` of ${host}` : ''}`;
  }
  if (p['tcpSocket']) return `TCP connect to port ${String(asRecord(p['tcpSocket'])['port'] ?? '?')}`;
  if (p['grpc']) {
    const g = asRecord(p['grpc']);
    const service = asString(g['service']);
    return `gRPC health check on port ${String(g['port'] ?? '?')}${service ? ` (service ${service})` : ''}`;
  }
  if (p['exec']) {
    const command = asArray(asRecord(p['exec'])['command']).filter((c) => typeof c === 'string');
    return `exec ${command.join(' ')}`.trim();
  }
  return 'probe';
}

export interface ProbeFailure {
  type: ProbeType;
  /** false: the probe could not run at all ("errored"), so the result is unknown. */
  failed: boolean;
  /** What the kubelet wrote after the colon: the command's output, the HTTP status, the network error. */
  output: string;
  /** A short reading of the output: "→ 503", "connection refused", "timed out", the first line of output. */
  result: string;
}

const UNHEALTHY =
  /^(Liveness|Readiness|Startup) probe (failed|errored)(?: and resulted in \w+ state)?: ?([\s\S]*)$/;

/** Reads an `Unhealthy` event's message; null when it is not one. */
export function parseProbeMessage(message: string): ProbeFailure | null {
  const m = UNHEALTHY.exec(message);
  if (!m) return null;
  const type = m[1]!.toLowerCase() as ProbeType;
  const output = m[3]!.trim();
  return { type, failed: m[2] === 'failed', output, result: probeResult(output, m[2] === 'failed') };
}

/** The output of a failed probe in a few words. */
export function probeResult(output: string, failed = true): string {
  const status = /HTTP probe failed with statuscode: (\d{3})/.exec(output);
  if (status) return `→ ${status[1]}`;
  if (!failed) {
    if (
      /container is in CONTAINER_EXITED state|container not running|cannot exec in a stopped|no running task found/i.test(
        output,
      )
    ) {
      return 'could not run: the container had already exited';
    }
    return `could not run: ${firstLine(output)}`;
  }
  if (/connect: connection refused/.test(output)) {
    const target = /dial tcp ([^:\s]+:\d+)/.exec(output)?.[1];
    return `connection refused${target ? ` (nothing listens on ${target})` : ''}`;
  }
  if (/context deadline exceeded|Client\.Timeout exceeded|i\/o timeout|timed out/.test(output)) {
    return 'timed out';
  }
  if (/no route to host/.test(output)) return 'no route to host';
  if (/connection reset by peer/.test(output)) return 'connection reset';
  if (/responded with "NOT_SERVING"/.test(output)) return 'the service reports NOT_SERVING';
  if (/stopped after \d+ redirects/.test(output)) return 'too many redirects';
  if (output === '') return 'failed without output';
  return `"${firstLine(output)}"`;
}

function firstLine(text: string): string {
  const line = text.split('\n').find((l) => l.trim() !== '') ?? '';
  return line.length > 160 ? `${line.slice(0, 157)}…` : line.trim();
}

/** The `Killing` event's message when the kubelet restarts a container for a failed probe. */
const PROBE_KILL = /^Container (\S+) failed (liveness|startup) probe, will be restarted/;

export function parseProbeKill(message: string): { container: string; type: 'liveness' | 'startup' } | null {
  const m = PROBE_KILL.exec(message);
  return m ? { container: m[1]!, type: m[2] as 'liveness' | 'startup' } : null;
}
