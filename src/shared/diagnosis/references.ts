// Missing ConfigMaps, Secrets and keys: what the kubelet says (CreateContainerConfigError, FailedMount) and
// where the pod spec refers to them, so a finding can point at the exact field to fix.

import { asArray, asRecord, asString, type JsonRecord } from '../validation/json.js';

export type ConfigProblem =
  | { kind: 'missing-configmap'; name: string }
  | { kind: 'missing-secret'; name: string }
  | { kind: 'missing-key'; key: string; objectKind: 'ConfigMap' | 'Secret'; name: string }
  | { kind: 'run-as-non-root'; detail: string }
  | { kind: 'other'; detail: string };

/** Reads a CreateContainerConfigError message (the waiting message or the `Failed` event's "Error: …"). */
export function parseConfigError(message: string): ConfigProblem {
  const text = message.replace(/^Error: /, '').trim();
  const cm = /^configmap "([^"]+)" not found/.exec(text);
  if (cm) return { kind: 'missing-configmap', name: cm[1]! };
  const secret = /^secret "([^"]+)" not found/.exec(text);
  if (secret) return { kind: 'missing-secret', name: secret[1]! };
  const key = /^couldn't find key (\S+) in (ConfigMap|Secret) (?:[^/\s]+\/)?(\S+)$/.exec(text);
  if (key)
    return { kind: 'missing-key', key: key[1]!, objectKind: key[2] as 'ConfigMap' | 'Secret', name: key[3]! };
  if (/runAsNonRoot/.test(text)) return { kind: 'run-as-non-root', detail: text };
  return { kind: 'other', detail: text };
}

export interface SpecReference {
  /** `spec.containers[name="app"].env[name="DB_PASSWORD"].valueFrom.secretKeyRef` */
  path: string;
  /** How the container uses it: `env DB_PASSWORD`, `envFrom`, `volume settings`. */
  use: string;
  optional: boolean;
}

/** Where a container (and the pod's volumes it mounts) refers to a ConfigMap or Secret, optionally a key. */
export function findReferences(
  container: JsonRecord,
  containerPath: string,
  podSpec: JsonRecord,
  objectKind: 'ConfigMap' | 'Secret',
  name: string,
  key?: string,
): SpecReference[] {
  const refField = objectKind === 'ConfigMap' ? 'configMapKeyRef' : 'secretKeyRef';
  const fromField = objectKind === 'ConfigMap' ? 'configMapRef' : 'secretRef';
  const out: SpecReference[] = [];
  for (const e of asArray(container['env']).map(asRecord)) {
    const ref = asRecord(asRecord(e['valueFrom'])[refField]);
    if (asString(ref['name']) !== name || (key !== undefined && asString(ref['key']) !== key)) continue;
    const env = asString(e['name']) ?? '';
    out.push({
      path: `${containerPath}.env[name="${env}"].valueFrom.${refField}`,
      use: `env ${env}`,
      optional: ref['optional'] === true,
    });
  }
  if (key === undefined) {
    asArray(container['envFrom']).forEach((e, i) => {
      const ref = asRecord(asRecord(e)[fromField]);
      if (asString(ref['name']) !== name) return;
      out.push({
        path: `${containerPath}.envFrom[${i}].${fromField}`,
        use: 'envFrom',
        optional: ref['optional'] === true,
      });
    });
  }
  for (const v of volumeReferences(podSpec, objectKind, name)) out.push(v);
  return out;
}

/** Pod volumes that take a ConfigMap or Secret (directly or projected). */
export function volumeReferences(
  podSpec: JsonRecord,
  objectKind: 'ConfigMap' | 'Secret',
  name: string,
): SpecReference[] {
  const out: SpecReference[] = [];
  for (const v of asArray(podSpec['volumes']).map(asRecord)) {
    const vol = asString(v['name']) ?? '';
    const direct = objectKind === 'ConfigMap' ? asRecord(v['configMap']) : asRecord(v['secret']);
    const directName = objectKind === 'ConfigMap' ? asString(direct['name']) : asString(direct['secretName']);
    if (directName === name) {
      out.push({
        path: `spec.volumes[name="${vol}"].${objectKind === 'ConfigMap' ? 'configMap' : 'secret'}`,
        use: `volume ${vol}`,
        optional: direct['optional'] === true,
      });
    }
    asArray(asRecord(v['projected'])['sources']).forEach((s, i) => {
      const field = objectKind === 'ConfigMap' ? 'configMap' : 'secret';
      const src = asRecord(asRecord(s)[field]);
      if (asString(src['name']) !== name) return;
      out.push({
        path: `spec.volumes[name="${vol}"].projected.sources[${i}].${field}`,
        use: `volume ${vol}`,
        optional: src['optional'] === true,
      });
    });
  }
  return out;
}

export type MountProblem =
  | { kind: 'missing-object'; volume: string; objectKind: 'ConfigMap' | 'Secret'; name: string }
  | { kind: 'other'; volume: string | null; detail: string };

/** Reads a `FailedMount` event: `MountVolume.SetUp failed for volume "settings" : configmap "x" not found`. */
export function parseMountFailure(message: string): MountProblem {
  const m =
    /MountVolume\.\w+ failed for volume "([^"]+)" : (configmap|secret|secrets) "([^"]+)" not found/.exec(
      message,
    );
  if (m) {
    return {
      kind: 'missing-object',
      volume: m[1]!,
      objectKind: m[2] === 'configmap' ? 'ConfigMap' : 'Secret',
      name: m[3]!,
    };
  }
  const volume =
    /for volume "([^"]+)"/.exec(message)?.[1] ?? /unmounted volumes=\[([^\]]+)\]/.exec(message)?.[1] ?? null;
  return { kind: 'other', volume, detail: message.trim() };
}
