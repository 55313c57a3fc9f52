// Pods of every shape a debug copy must handle, for a test namespace on the real cluster: one per
// controller kind (Deployment, ReplicaSet with its own selector, ReplicationController, DaemonSet,
// StatefulSet, Job, a CronJob's Job), a pod stuck in Init:CrashLoopBackOff, one with a sidecar, one
// with a hostPort, one on the host network, and ones with a ReadWriteOnce / ReadWriteOncePod volume.
// Used by test/integration/debug/copy-shapes.test.ts and by dump-copy-fixtures.ts (unit fixtures).
import { APP_IMAGE, kubectl, kubectlOk, waitFor } from './cluster.js';

type Obj = Record<string, unknown>;

const sleeper = (extra: Obj = {}): Obj => ({
  name: 'app',
  image: APP_IMAGE,
  imagePullPolicy: 'Never',
  command: ['sleep', '3600'],
  ...extra,
});

const podSpec = (extra: Obj = {}): Obj => ({
  terminationGracePeriodSeconds: 0,
  containers: [sleeper()],
  ...extra,
});

/** The controller-made shapes: name, the kind that owns the pod, and the pod's labels. */
export const CONTROLLER_SHAPES = [
  { shape: 'deployment', owner: 'ReplicaSet', labels: { app: 'dep', tier: 'web' } },
  { shape: 'replicaset', owner: 'ReplicaSet', labels: { app: 'rs', tier: 'backend', team: 'orders' } },
  { shape: 'replicationcontroller', owner: 'ReplicationController', labels: { app: 'rc', team: 'legacy' } },
  { shape: 'daemonset', owner: 'DaemonSet', labels: { app: 'ds' } },
  { shape: 'statefulset', owner: 'StatefulSet', labels: { app: 'sts', role: 'db' } },
  { shape: 'job', owner: 'Job', labels: { app: 'job' } },
  { shape: 'cronjob', owner: 'Job', labels: { app: 'cron' } },
] as const;

export type ControllerShape = (typeof CONTROLLER_SHAPES)[number]['shape'];

export function shapeManifests(ns: string, hostPort: number): Obj[] {
  const meta = (name: string, labels: Obj = {}) => ({ name, namespace: ns, labels });
  const template = (labels: Obj, spec: Obj = {}) => ({ metadata: { labels }, spec: podSpec(spec) });
  const probed = sleeper({
    ports: [{ containerPort: 8080, name: 'http' }],
    readinessProbe: { exec: { command: ['true'] }, periodSeconds: 30 },
    livenessProbe: { exec: { command: ['true'] }, periodSeconds: 30 },
    lifecycle: { preStop: { exec: { command: ['true'] } } },
  });
  return [
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: meta('dep'),
      spec: {
        replicas: 1,
        selector: { matchLabels: { app: 'dep' } },
        template: template({ app: 'dep', tier: 'web' }, { containers: [probed] }),
      },
    },
    {
      // An ordinary Service: a copy that keeps app=dep must still get none of its traffic.
      apiVersion: 'v1',
      kind: 'Service',
      metadata: meta('dep'),
      spec: { selector: { app: 'dep' }, ports: [{ port: 8080 }] },
    },
    {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: meta('rs'),
      spec: {
        replicas: 1,
        selector: {
          matchLabels: { app: 'rs' },
          matchExpressions: [{ key: 'tier', operator: 'In', values: ['backend'] }],
        },
        template: template({ app: 'rs', tier: 'backend', team: 'orders' }),
      },
    },
    {
      // Lets pods labelled app=rs into the database pods: a copy must keep app=rs to get in.
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: meta('orders-db'),
      spec: {
        podSelector: { matchLabels: { app: 'orders-db' } },
        policyTypes: ['Ingress'],
        ingress: [{ from: [{ podSelector: { matchLabels: { app: 'rs' } } }] }],
      },
    },
    {
      apiVersion: 'v1',
      kind: 'ReplicationController',
      metadata: meta('rc'),
      spec: { replicas: 1, selector: { app: 'rc' }, template: template({ app: 'rc', team: 'legacy' }) },
    },
    {
      apiVersion: 'apps/v1',
      kind: 'DaemonSet',
      metadata: meta('ds'),
      spec: { selector: { matchLabels: { app: 'ds' } }, template: template({ app: 'ds' }) },
    },
    {
      // Peer discovery of a StatefulSet: publishes pods that are not Ready, so it would list a copy too.
      apiVersion: 'v1',
      kind: 'Service',
      metadata: meta('sts'),
      spec: {
        clusterIP: 'None',
        publishNotReadyAddresses: true,
        selector: { app: 'sts' },
        ports: [{ port: 5432 }],
      },
    },
    {
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: meta('sts'),
      spec: {
        replicas: 1,
        serviceName: 'sts',
        selector: { matchLabels: { app: 'sts' } },
        template: template({ app: 'sts', role: 'db' }),
      },
    },
    {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: meta('job'),
      spec: {
        backoffLimit: 0,
        template: template({ app: 'job' }, { restartPolicy: 'Never' }),
      },
    },
    {
      apiVersion: 'batch/v1',
      kind: 'CronJob',
      metadata: meta('cron'),
      spec: {
        schedule: '0 0 1 1 *',
        jobTemplate: {
          spec: { backoffLimit: 0, template: template({ app: 'cron' }, { restartPolicy: 'Never' }) },
        },
      },
    },
    {
      // Init:CrashLoopBackOff: `prepare` writes /work/ready, `migrate` fails (exit 3) for want of /work/migrated.
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: meta('init-fail', { app: 'init-fail' }),
      spec: podSpec({
        volumes: [{ name: 'work', emptyDir: {} }],
        initContainers: [
          {
            name: 'prepare',
            image: APP_IMAGE,
            imagePullPolicy: 'Never',
            command: ['sh', '-c', 'echo ready > /work/ready'],
            volumeMounts: [{ name: 'work', mountPath: '/work' }],
          },
          {
            name: 'migrate',
            image: APP_IMAGE,
            imagePullPolicy: 'Never',
            command: ['sh', '-c', 'test -f /work/migrated || exit 3'],
            env: [{ name: 'STEP', value: 'migrate' }],
            volumeMounts: [{ name: 'work', mountPath: '/work' }],
          },
        ],
      }),
    },
    {
      // A crash-looping app with a sidecar (a restartable init container) that must keep running.
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: meta('sidecar', { app: 'sidecar' }),
      spec: podSpec({
        initContainers: [
          {
            name: 'shipper',
            image: APP_IMAGE,
            imagePullPolicy: 'Never',
            restartPolicy: 'Always',
            command: ['sleep', '3600'],
            startupProbe: { exec: { command: ['true'] } },
          },
        ],
        containers: [sleeper({ command: ['sh', '-c', 'echo starting; exit 1'] })],
      }),
    },
    {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: meta('hostport', { app: 'hostport' }),
      spec: podSpec({
        containers: [sleeper({ ports: [{ containerPort: 8080, hostPort, protocol: 'TCP' }] })],
      }),
    },
    {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: meta('hostnet', { app: 'hostnet' }),
      spec: podSpec({
        hostNetwork: true,
        containers: [sleeper({ ports: [{ containerPort: hostPort + 1, protocol: 'TCP' }] })],
      }),
    },
    ...volumePod(ns, 'rwo', 'ReadWriteOnce'),
    ...volumePod(ns, 'rwop', 'ReadWriteOncePod'),
  ];
}

/** The name of a test namespace's hostPath PersistentVolume (cluster-scoped, so it carries the namespace). */
export const pvName = (ns: string, claim: string) => `${ns}-${claim}`;

function volumePod(ns: string, name: string, mode: string): Obj[] {
  return [
    {
      apiVersion: 'v1',
      kind: 'PersistentVolume',
      metadata: { name: pvName(ns, name), labels: { 'podscope-test': ns } },
      spec: {
        capacity: { storage: '1Mi' },
        accessModes: [mode],
        storageClassName: '',
        persistentVolumeReclaimPolicy: 'Delete',
        hostPath: { path: `/tmp/podscope-test-${pvName(ns, name)}`, type: 'DirectoryOrCreate' },
        claimRef: { namespace: ns, name: `data-${name}` },
      },
    },
    {
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: { name: `data-${name}`, namespace: ns },
      spec: {
        accessModes: [mode],
        storageClassName: '',
        volumeName: pvName(ns, name),
        resources: { requests: { storage: '1Mi' } },
      },
    },
    {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, namespace: ns, labels: { app: name } },
      spec: podSpec({
        volumes: [{ name: 'data', persistentVolumeClaim: { claimName: `data-${name}` } }],
        containers: [sleeper({ volumeMounts: [{ name: 'data', mountPath: '/data' }] })],
      }),
    },
  ];
}

export async function createNamespace(ns: string, labels: Record<string, string> = {}): Promise<void> {
  await kubectlOk(['create', 'namespace', ns]);
  if (Object.keys(labels).length > 0) {
    await kubectlOk(['label', 'namespace', ns, ...Object.entries(labels).map(([k, v]) => `${k}=${v}`)]);
  }
}

/** Deletes the namespace and its PersistentVolumes (without waiting for the namespace to go). */
export async function deleteNamespace(ns: string): Promise<void> {
  await kubectl(['delete', 'namespace', ns, '--wait=false', '--ignore-not-found']);
  await kubectl(['delete', 'pv', '-l', `podscope-test=${ns}`, '--wait=false', '--ignore-not-found']);
}

export async function applyAll(objects: Obj[]): Promise<void> {
  const r = await kubectl(['apply', '-f', '-'], {
    input: JSON.stringify({ apiVersion: 'v1', kind: 'List', items: objects }),
  });
  if (r.code !== 0) throw new Error(`kubectl apply failed: ${r.stderr}`);
}

/** Creates every shape (and the CronJob's Job) and waits until each shape's pod is where the tests need it. */
export async function createShapes(ns: string, hostPort: number): Promise<void> {
  await applyAll(shapeManifests(ns, hostPort));
  await kubectlOk(['-n', ns, 'create', 'job', 'cron-manual', '--from=cronjob/cron']);
  for (const { labels } of CONTROLLER_SHAPES) await waitRunningPod(ns, `app=${labels.app}`);
  for (const app of ['hostport', 'hostnet', 'rwo', 'rwop']) await waitRunningPod(ns, `app=${app}`);
  await waitFor(`init-fail in Init:CrashLoopBackOff`, async () => {
    const p = await podJson(ns, 'init-fail');
    const s = (p.status?.initContainerStatuses ?? []).find((c) => c.name === 'migrate');
    return s && (s.restartCount ?? 0) >= 1 ? true : undefined;
  });
  await waitFor(`sidecar's app crash-looping`, async () => {
    const p = await podJson(ns, 'sidecar');
    return (p.status?.containerStatuses?.[0]?.restartCount ?? 0) >= 1 ? true : undefined;
  });
}

interface PodJson {
  metadata: {
    name: string;
    uid: string;
    labels?: Record<string, string>;
    ownerReferences?: { kind: string; name: string }[];
  };
  spec: Obj & { nodeName?: string };
  status?: {
    phase?: string;
    containerStatuses?: { name: string; restartCount?: number; state?: { running?: object } }[];
    initContainerStatuses?: { name: string; restartCount?: number; state?: { running?: object } }[];
  };
}

export async function podJson(ns: string, name: string): Promise<PodJson> {
  return JSON.parse(await kubectlOk(['-n', ns, 'get', 'pod', name, '-o', 'json'])) as PodJson;
}

/** The one Running pod a selector finds (the shape's original). */
export async function waitRunningPod(ns: string, selector: string): Promise<PodJson> {
  return waitFor(`a running pod ${selector} in ${ns}`, async () => {
    const list = JSON.parse(await kubectlOk(['-n', ns, 'get', 'pods', '-l', selector, '-o', 'json'])) as {
      items: PodJson[];
    };
    const running = list.items.filter(
      (p) =>
        p.status?.phase === 'Running' && (p.status.containerStatuses ?? []).every((c) => c.state?.running),
    );
    return running.length === 1 ? running[0] : undefined;
  });
}
