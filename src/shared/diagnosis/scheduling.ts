// The scheduler's FailedScheduling message (also the PodScheduled condition's message), read into its
// reasons. The format (kube-scheduler's FitError):
//   0/3 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: },
//   2 Insufficient memory. preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod.
// Filters that fail before any node is tried (PreFilter: unbound claims…) print their reason without a count.

export type SchedulingReasonKind =
  | 'insufficient-resource'
  | 'node-selector'
  | 'untolerated-taint'
  | 'unbound-claim'
  | 'missing-claim'
  | 'volume-node-affinity'
  | 'too-many-pods'
  | 'host-ports'
  | 'pod-affinity'
  | 'pod-anti-affinity'
  | 'node-unschedulable'
  | 'topology-spread'
  | 'volume-limit'
  | 'no-nodes'
  | 'other';

export interface SchedulingReason {
  kind: SchedulingReasonKind;
  /** Nodes that failed for this reason (all nodes for a reason found before nodes were tried). */
  nodes: number;
  /** The scheduler's words. */
  text: string;
  /** `cpu`, `memory`, `nvidia.com/gpu` for insufficient-resource. */
  resource?: string;
  /** `node-role.kubernetes.io/control-plane: ` for untolerated-taint. */
  taint?: string;
  /** For missing-claim. */
  claim?: string;
}

export interface SchedulingFailure {
  available: number | null;
  total: number | null;
  reasons: SchedulingReason[];
  /** The preemption part, if the scheduler tried it: "Preemption is not helpful for scheduling". */
  preemption: string | null;
}

const HEADER = /^(\d+)\/(\d+) nodes are available:\s*([\s\S]*)$/;

export function parseSchedulingMessage(message: string): SchedulingFailure {
  const text = message.trim();
  const [main = '', ...rest] = text.split(/,? ?preemption: /);
  const preemption = rest.length ? cleanPreemption(rest.join(' ')) : null;
  const header = HEADER.exec(main.trim());
  if (!header) {
    if (/no nodes available to schedule pods/.test(main)) {
      return {
        available: 0,
        total: 0,
        reasons: [{ kind: 'no-nodes', nodes: 0, text: 'no nodes available' }],
        preemption,
      };
    }
    return { available: null, total: null, reasons: [reasonOf(main.trim(), 0)], preemption };
  }
  const available = Number(header[1]);
  const total = Number(header[2]);
  const reasons: SchedulingReason[] = [];
  // Sentences are separated by ". "; within one, counted reasons by ", " before the next count.
  for (const sentence of header[3]!.split(/\.\s+|\.$/)) {
    const s = sentence.trim().replace(/,$/, '');
    if (s === '' || /^no new claims to deallocate$/.test(s)) continue;
    const parts = s.split(/, (?=\d+ )/);
    for (const part of parts) {
      const counted = /^(\d+) ([\s\S]+)$/.exec(part.trim());
      if (counted) reasons.push(reasonOf(counted[2]!.trim(), Number(counted[1])));
      else if (!/^not found$|^no new claims to deallocate/.test(part.trim())) {
        reasons.push(reasonOf(part.trim(), total));
      }
    }
  }
  return { available, total, reasons, preemption };
}

function cleanPreemption(text: string): string {
  const m = /^\d+\/\d+ nodes are available: \d+ ([^.,]+)/.exec(text.trim());
  return (m ? m[1]! : text).trim().replace(/\.$/, '');
}

function reasonOf(text: string, nodes: number): SchedulingReason {
  const insufficient = /^Insufficient (\S+)$/.exec(text);
  if (insufficient) return { kind: 'insufficient-resource', nodes, text, resource: insufficient[1]! };
  const taint =
    /had untolerated taint(?:s)? \{([^}]*)\}/.exec(text) ??
    /had taint \{([^}]*)\}, that the pod didn't tolerate/.exec(text);
  if (taint) return { kind: 'untolerated-taint', nodes, text, taint: taint[1]! };
  const missingClaim = /persistentvolumeclaim "([^"]+)" not found/.exec(text);
  if (missingClaim) return { kind: 'missing-claim', nodes, text, claim: missingClaim[1]! };
  const table: [RegExp, SchedulingReasonKind][] = [
    [/didn't match Pod's node affinity\/selector|node\(s\) didn't match node selector/, 'node-selector'],
    [
      /unbound immediate PersistentVolumeClaims|didn't find available persistent volumes to bind/,
      'unbound-claim',
    ],
    [/volume node affinity conflict/, 'volume-node-affinity'],
    [/^Too many pods$/, 'too-many-pods'],
    [/didn't have free ports/, 'host-ports'],
    [/didn't match pod affinity rules|didn't match pod affinity\/anti-affinity/, 'pod-affinity'],
    [/anti-affinity/, 'pod-anti-affinity'],
    [/were unschedulable|node\(s\) were unschedulable/, 'node-unschedulable'],
    [/topology spread constraints/, 'topology-spread'],
    [/exceed max volume count/, 'volume-limit'],
  ];
  for (const [re, kind] of table) if (re.test(text)) return { kind, nodes, text };
  return { kind: 'other', nodes, text };
}
