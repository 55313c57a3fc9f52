// The pod copies and node debug pods this browser tab created, each with the lease WebSocket that keeps
// it alive. It lives for the whole tab, above the routes, so moving to the copy's Terminal tab (another
// pod page) does not drop the lease; closing the tab does, and the server deletes the pod after its grace
// period. The list is kept in sessionStorage so a reload takes the leases again within that grace.

import type { DebugPodCreated, LeaseMessage } from '../../shared/debug/debug-api.js';
import { errorMessage } from '../common/api-client.js';
import { ReconnectingSocket } from '../common/reconnecting-socket.js';
import { debugPaths } from './debug-paths.js';
import {
  endsLease,
  isLeaseFinal,
  nextLeaseStatus,
  type LeaseEvent,
  type LeaseStatus,
} from './lease-state.js';
import { requestJson } from './request-json.js';

export interface LeasedPod extends DebugPodCreated {
  key: string;
  cluster: string;
  /** `namespace/pod` of the page it was created from (that page lists it), e.g. the crash-looping original. */
  fromPod: string;
  /** Node name for node debug pods. */
  node: string | null;
  status: LeaseStatus;
}

type Stored = Omit<LeasedPod, 'status'>;

const STORAGE_KEY = 'podscope.debug-leases.v1';

export class LeaseStore {
  private pods = new Map<string, LeasedPod>();
  private sockets = new Map<string, ReconnectingSocket>();
  private listeners = new Set<() => void>();
  private snapshot: readonly LeasedPod[] = [];

  constructor(private readonly storage: Storage | null) {
    for (const stored of this.load()) this.start(stored);
  }

  readonly subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  readonly getSnapshot = (): readonly LeasedPod[] => this.snapshot;

  /** Starts holding the lease of a pod the server just created. */
  add(cluster: string, fromPod: string, node: string | null, created: DebugPodCreated): LeasedPod {
    const stored: Stored = {
      ...created,
      key: keyOf(cluster, created.namespace, created.pod),
      cluster,
      fromPod,
      node,
    };
    this.start(stored);
    return this.pods.get(stored.key)!;
  }

  /** Deletes the pod now (not after the grace period), then lets go of its lease. */
  async delete(key: string): Promise<void> {
    const pod = this.pods.get(key);
    if (!pod || pod.status.state === 'deleting') return;
    this.apply(key, { kind: 'deleting' });
    try {
      await requestJson('DELETE', debugPaths.debugPod(pod.cluster, pod.namespace, pod.pod));
      this.apply(key, { kind: 'deleted' });
    } catch (err) {
      this.apply(key, { kind: 'delete-failed', message: errorMessage(err) });
    }
  }

  /** Forgets a pod whose lease is over (gone, deleted or failed). */
  dismiss(key: string): void {
    const pod = this.pods.get(key);
    if (!pod || !isLeaseFinal(pod.status)) return;
    this.pods.delete(key);
    this.publish();
  }

  private start(stored: Stored): void {
    if (this.pods.has(stored.key)) return;
    this.pods.set(stored.key, { ...stored, status: { state: 'connecting' } });
    this.save();
    this.publish();
    const socket = new ReconnectingSocket({
      path: () => debugPaths.lease(stored.cluster, stored.namespace, stored.pod),
      onMessage: (raw) => {
        const message = raw as LeaseMessage;
        this.apply(stored.key, { kind: 'message', message });
        return endsLease(message) ? 'finish' : undefined;
      },
      onStatus: (status) => this.apply(stored.key, { kind: 'socket', status }),
    });
    this.sockets.set(stored.key, socket);
  }

  private apply(key: string, event: LeaseEvent): void {
    const pod = this.pods.get(key);
    if (!pod) return;
    const status = nextLeaseStatus(pod.status, event);
    if (status === pod.status) return;
    this.pods.set(key, { ...pod, status });
    if (isLeaseFinal(status)) {
      this.sockets.get(key)?.stop();
      this.sockets.delete(key);
      this.save();
    }
    this.publish();
  }

  private publish(): void {
    this.snapshot = [...this.pods.values()];
    for (const listener of this.listeners) listener();
  }

  private load(): Stored[] {
    try {
      const raw = this.storage?.getItem(STORAGE_KEY);
      const list: unknown = raw ? JSON.parse(raw) : [];
      return Array.isArray(list) ? (list as Stored[]).filter((s) => typeof s?.key === 'string') : [];
    } catch {
      return [];
    }
  }

  /** Only pods whose lease is still wanted survive a reload. */
  private save(): void {
    const live = [...this.pods.values()]
      .filter((p) => !isLeaseFinal(p.status))
      .map(({ status: _status, ...stored }) => stored);
    try {
      this.storage?.setItem(STORAGE_KEY, JSON.stringify(live));
    } catch {
      // Storage full or disabled: the leases still hold for as long as the tab stays open.
    }
  }
}

function keyOf(cluster: string, namespace: string, pod: string): string {
  return `${cluster}/${namespace}/${pod}`;
}

let instance: LeaseStore | null = null;

/** The tab's one lease store, created on first use. */
export function leaseStore(): LeaseStore {
  instance ??= new LeaseStore(sessionStorageOrNull());
  return instance;
}

function sessionStorageOrNull(): Storage | null {
  try {
    return window.sessionStorage;
  } catch {
    return null;
  }
}
