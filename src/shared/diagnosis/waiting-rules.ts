// Containers that never started: images that cannot be pulled, configuration that cannot be resolved
// (missing ConfigMap, Secret or key; runAsNonRoot with a root image), and runtime errors while creating.

import { asRecord, asString } from '../validation/json.js';
import { classifyImagePull, pullErrorText, registryHost, type ImagePullClass } from './image-pull.js';
import { quote } from './log-excerpts.js';
import type { ContainerFacts } from './pod-facts.js';
import { findReferences, parseConfigError, type SpecReference } from './references.js';
import {
  containerNoun,
  draft,
  eventEvidence,
  fieldEvidence,
  lastOf,
  steps,
  type DraftFinding,
  type RuleContext,
} from './rule-context.js';
import { parseStartError, runtimeDetail } from './start-errors.js';
import type { FindingId } from './types.js';

const IMAGE_REASONS = new Set([
  'ErrImagePull',
  'ImagePullBackOff',
  'InvalidImageName',
  'ErrImageNeverPull',
  'RegistryUnavailable',
  'ImageInspectError',
  'SignatureValidationFailed',
]);

const IMAGE_IDS: Record<ImagePullClass, FindingId> = {
  'not-found': 'image-pull.not-found',
  'tag-not-found': 'image-pull.tag-not-found',
  unauthorized: 'image-pull.unauthorized',
  denied: 'image-pull.denied',
  'registry-unreachable': 'image-pull.registry-unreachable',
  'invalid-name': 'image-pull.invalid-name',
  'not-present': 'image-pull.not-present',
  failed: 'image-pull.failed',
};

export function waitingRules(ctx: RuleContext): DraftFinding[] {
  const out: DraftFinding[] = [];
  for (const c of ctx.pod.containers) {
    const reason = asString(c.waiting?.['reason']);
    if (reason === null) continue;
    if (IMAGE_REASONS.has(reason)) out.push(imageFinding(ctx, c, reason));
    else if (reason === 'CreateContainerConfigError') out.push(configFinding(ctx, c));
    else if (
      (reason === 'CreateContainerError' || reason === 'RunContainerError') &&
      c.lastEnded?.reason !== 'StartError'
    ) {
      out.push(runtimeFinding(ctx, c, reason));
    }
  }
  return out;
}

function imageFinding(ctx: RuleContext, c: ContainerFacts, reason: string): DraftFinding {
  const waitingMessage = asString(c.waiting?.['message']) ?? '';
  const events = ctx.containerEvents(c);
  // The newest event with the registry's own words; the waiting message of a back-off repeats them (since
  // 1.30 or so) but older kubelets only say "Back-off pulling image".
  const pullEvent = lastOf(
    events.filter(
      (e) =>
        (e.reason === 'Failed' && /^Failed to pull image/.test(e.message)) ||
        e.reason === 'InspectFailed' ||
        e.reason === 'ErrImageNeverPull',
    ),
  );
  const text = pullEvent ? pullErrorText(pullEvent.message) : pullErrorText(waitingMessage);
  const failure = classifyImagePull(reason, text, c.image);
  const secrets = (asRecord(ctx.pod.raw['spec'])['imagePullSecrets'] as unknown[] | undefined) ?? [];
  const secretNames = secrets
    .map((s) => asString(asRecord(s)['name']))
    .filter((s): s is string => s !== null);
  const hints: Partial<Record<ImagePullClass, string>> = {
    'not-found': `Check the image name and tag: ${c.image}.`,
    'tag-not-found': `Check the tag: the repository exists but has no ${c.image}.`,
    unauthorized:
      secretNames.length > 0
        ? `The pod pulls with imagePullSecrets ${secretNames.join(', ')}: check that they hold valid credentials for ${registryHost(c.image)}.`
        : `The pod has no imagePullSecrets: add one with credentials for ${registryHost(c.image)} (or to its service account).`,
    denied:
      secretNames.length > 0
        ? `Check the name, and that imagePullSecrets ${secretNames.join(', ')} may read it.`
        : 'Check the image name; if the repository is private, add imagePullSecrets with credentials for it.',
    'registry-unreachable': `The node cannot reach ${registryHost(c.image)}: check the name, DNS, proxy and firewall from the node.`,
    'invalid-name': 'Image references are lowercase: [registry/]repository[:tag][@digest].',
    'not-present':
      'Load the image onto the node, or set imagePullPolicy to IfNotPresent so it can be pulled.',
  };
  const what =
    failure.class === 'invalid-name'
      ? `is not a valid image reference${/\((.+)\)$/.exec(failure.detail) ? ` (${/\((.+)\)$/.exec(failure.detail)![1]})` : ''}`
      : failure.class === 'not-present'
        ? 'is not on the node, and its imagePullPolicy Never forbids pulling it'
        : `cannot be pulled — ${failure.detail}`;
  return draft(
    {
      id: IMAGE_IDS[failure.class],
      severity: 'error',
      container: c,
      summary: `${containerNoun(c)} cannot start: its image ${c.image} ${what}.`,
      hint: hints[failure.class] ?? null,
      cause: `cannot pull ${c.image} — ${failure.detail}`,
      evidence: [
        fieldEvidence('waiting reason', `${c.statusPath}.state.waiting.reason`, reason, {
          container: c.name,
        }),
        waitingMessage
          ? fieldEvidence('waiting message', `${c.statusPath}.state.waiting.message`, waitingMessage, {
              container: c.name,
            })
          : null,
        fieldEvidence('image', `${c.specPath}.image`, c.image, { container: c.name }),
        pullEvent ? eventEvidence("the kubelet's pull error", pullEvent) : null,
        secretNames.length > 0
          ? fieldEvidence('image pull secrets', 'spec.imagePullSecrets', secretNames.join(', '))
          : null,
      ],
      nextSteps: [steps.events(), steps.containers(c.name)],
    },
    [{ source: 'events' }],
  );
}

function configFinding(ctx: RuleContext, c: ContainerFacts): DraftFinding {
  const waitingMessage = asString(c.waiting?.['message']) ?? '';
  const failed = lastOf(ctx.containerEvents(c).filter((e) => e.reason === 'Failed'));
  const problem = parseConfigError(waitingMessage || failed?.message || '');
  const podSpec = asRecord(ctx.pod.raw['spec']);
  const ns = ctx.pod.namespace;
  let id: FindingId;
  let what: string;
  let hint: string;
  let cause: string;
  let refs: SpecReference[] = [];
  const uses = (list: SpecReference[]) =>
    list.length ? `, which ${list.map((r) => r.use).join(' and ')} read${list.length === 1 ? 's' : ''},` : '';
  switch (problem.kind) {
    case 'missing-configmap':
    case 'missing-secret': {
      const kind = problem.kind === 'missing-configmap' ? 'ConfigMap' : 'Secret';
      refs = findReferences(c.spec, c.specPath, podSpec, kind, problem.name);
      id = problem.kind === 'missing-configmap' ? 'config.missing-configmap' : 'config.missing-secret';
      what = `${kind} "${problem.name}"${uses(refs)} does not exist in namespace ${ns}`;
      hint = `Create ${kind} "${problem.name}" in namespace ${ns}, or fix the name in the pod spec${refs.length ? '' : ''} (or mark the reference optional).`;
      cause = `cannot be created: ${kind} "${problem.name}" does not exist`;
      break;
    }
    case 'missing-key': {
      refs = findReferences(c.spec, c.specPath, podSpec, problem.objectKind, problem.name, problem.key);
      id = 'config.missing-key';
      what = `${problem.objectKind} "${problem.name}" has no key "${problem.key}"${uses(refs).replace(/,$/, '')}`;
      hint = `Add the key "${problem.key}" to ${problem.objectKind} "${problem.name}", or fix the key name in the pod spec (or mark the reference optional).`;
      cause = `cannot be created: ${problem.objectKind} "${problem.name}" has no key "${problem.key}"`;
      break;
    }
    case 'run-as-non-root': {
      id = 'config.run-as-non-root';
      what = `runAsNonRoot is set but ${/non-numeric user/.test(problem.detail) ? 'the image names its user by name, so the kubelet cannot verify it is not root' : 'the image runs as root'}`;
      hint =
        'Set securityContext.runAsUser to a non-zero uid, or use an image whose USER is a non-zero number.';
      cause = 'cannot be created: runAsNonRoot with a root image';
      break;
    }
    default: {
      id = 'config.error';
      what = problem.detail || 'its configuration cannot be resolved';
      hint = '';
      cause = `cannot be created: ${quote(problem.detail, 80)}`;
    }
  }
  return draft(
    {
      id,
      severity: 'error',
      container: c,
      summary: `${containerNoun(c)} cannot be created: ${what.replace(/,$/, '')}.`,
      hint: hint || null,
      cause,
      evidence: [
        fieldEvidence(
          'waiting reason',
          `${c.statusPath}.state.waiting.reason`,
          'CreateContainerConfigError',
          { container: c.name },
        ),
        waitingMessage
          ? fieldEvidence('waiting message', `${c.statusPath}.state.waiting.message`, waitingMessage, {
              container: c.name,
            })
          : null,
        ...refs.map((r) =>
          fieldEvidence(`reference (${r.use}${r.optional ? ', optional' : ''})`, r.path, 'reference', {
            container: c.name,
          }),
        ),
        failed ? eventEvidence("the kubelet's error", failed) : null,
      ],
      nextSteps: [steps.containers(c.name), steps.events()],
    },
    [{ source: 'events' }],
  );
}

function runtimeFinding(ctx: RuleContext, c: ContainerFacts, reason: string): DraftFinding {
  const message = asString(c.waiting?.['message']) ?? '';
  const problem = parseStartError(message);
  const failed = lastOf(ctx.containerEvents(c).filter((e) => e.reason === 'Failed'));
  const id: FindingId =
    problem.kind === 'command-not-found'
      ? 'start-error.command-not-found'
      : problem.kind === 'permission-denied'
        ? 'start-error.permission-denied'
        : problem.kind === 'exec-format'
          ? 'start-error.exec-format'
          : 'start-error';
  const detail = problem.kind === 'other' ? runtimeDetail(message) : `${problem.command}: ${problem.detail}`;
  return draft(
    {
      id,
      severity: 'error',
      container: c,
      summary: `${containerNoun(c)} cannot be ${reason === 'CreateContainerError' ? 'created' : 'started'} by the runtime: ${detail || reason}.`,
      hint: null,
      cause: `cannot start: ${quote(detail || reason, 80)}`,
      evidence: [
        fieldEvidence('waiting reason', `${c.statusPath}.state.waiting.reason`, reason, {
          container: c.name,
        }),
        message
          ? fieldEvidence('waiting message', `${c.statusPath}.state.waiting.message`, message, {
              container: c.name,
            })
          : null,
        failed ? eventEvidence("the kubelet's error", failed) : null,
      ],
      nextSteps: [steps.events(), steps.debugCopy(c.name)],
    },
    [{ source: 'events' }],
  );
}
