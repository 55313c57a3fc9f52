/**
 * Asking Kubernetes, as the person, what they may do and who they are: SelfSubjectAccessReview
 * (authorization.k8s.io/v1) per check and SelfSubjectReview (authentication.k8s.io/v1), through the
 * request's KubeClient — so local mode asks as the kubeconfig's user, token login with the person's
 * token, impersonation with their user and groups. Answers are cached briefly per identity and cluster
 * (never shared between identities: the cache key starts with who asked).
 */
import { createHash } from 'node:crypto';
import type { AccessCheck } from '../../shared/permissions/api.js';
import { parseSelfSubjectReview, type ReviewedUser } from '../auth/self-subject-review.js';
import type { KubeClient } from '../kube/kube-client.js';
import { AnswerCache } from './answer-cache.js';
import { checkKey, type CheckAnswer } from './required-access.js';

/** Long enough to serve a page's burst of questions, short enough that a new RoleBinding shows soon. */
export const ANSWER_TTL_MS = 10_000;
const MAX_ANSWERS = 5_000;
const MAX_PEOPLE = 1_000;
const REVIEW_TIMEOUT_MS = 10_000;

/**
 * Who a client acts as, as a cache key. A person's own token is keyed by its hash (two tokens may carry
 * different rights even for one username); impersonation by everything impersonated; the kubeconfig
 * (local mode, identity null) by the cluster alone, which the caller adds.
 */
export function identityKey(client: Pick<KubeClient, 'identity'>): string {
  const id = client.identity;
  if (id === null) return 'kubeconfig';
  if (id.credential !== undefined) {
    return `token:${createHash('sha256').update(id.credential.authorization()).digest('base64url')}`;
  }
  const extra = Object.entries(id.extra ?? {}).sort(([a], [b]) => a.localeCompare(b));
  return `as:${JSON.stringify([id.user, [...id.groups].sort(), id.uid ?? null, extra])}`;
}

/** The SelfSubjectAccessReview for one check. */
export function accessReviewBody(c: AccessCheck): object {
  return {
    apiVersion: 'authorization.k8s.io/v1',
    kind: 'SelfSubjectAccessReview',
    spec: {
      resourceAttributes: {
        verb: c.verb,
        group: c.group,
        resource: c.resource,
        ...(c.subresource === undefined ? {} : { subresource: c.subresource }),
        ...(c.namespace === null ? {} : { namespace: c.namespace }),
        ...(c.name === undefined ? {} : { name: c.name }),
      },
    },
  };
}

/**
 * Kubernetes' answer. An `evaluationError` beside a "no" (e.g. a RoleBinding naming a missing role) is
 * still a "no": the real request would be refused the same way.
 */
export function parseAccessReview(body: unknown): CheckAnswer {
  const status = (body as { status?: Record<string, unknown> } | null)?.status;
  if (typeof status !== 'object' || status === null) {
    throw new Error('the API server answered the SelfSubjectAccessReview without a status');
  }
  return { allowed: status['allowed'] === true && status['denied'] !== true };
}

export class AccessReviews {
  private readonly answers: AnswerCache<CheckAnswer>;
  private readonly people: AnswerCache<ReviewedUser>;

  constructor(ttlMs = ANSWER_TTL_MS, now: () => number = Date.now) {
    this.answers = new AnswerCache(ttlMs, MAX_ANSWERS, now);
    this.people = new AnswerCache(ttlMs, MAX_PEOPLE, now);
  }

  /**
   * Kubernetes' answer to each check, asked in parallel (duplicates once), keyed by checkKey. A review
   * that fails is an answer with an error, not an exception: one unreachable check does not hide the rest.
   */
  async review(client: KubeClient, checks: AccessCheck[]): Promise<Map<string, CheckAnswer>> {
    const unique = new Map(checks.map((c) => [checkKey(c), c]));
    const who = `${identityKey(client)}\u0000${client.cluster.name}`;
    const answered = await Promise.all(
      [...unique].map(async ([key, check]) => {
        try {
          const answer = await this.answers.get(`${who}\u0000${key}`, async () =>
            parseAccessReview(
              await client.json<unknown>({
                method: 'POST',
                path: '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews',
                body: accessReviewBody(check),
                timeoutMs: REVIEW_TIMEOUT_MS,
              }),
            ),
          );
          return [key, answer] as const;
        } catch (err) {
          return [key, { allowed: false, error: (err as Error).message }] as const;
        }
      }),
    );
    return new Map(answered);
  }

  /** Whether one check is allowed (an error counts as not allowed). */
  async allows(client: KubeClient, check: AccessCheck): Promise<boolean> {
    return (await this.review(client, [check])).get(checkKey(check))?.allowed === true;
  }

  /** Who the client acts as, in Kubernetes' words (SelfSubjectReview); errors are thrown. */
  whoAmI(client: KubeClient): Promise<ReviewedUser> {
    return this.people.get(`${identityKey(client)}\u0000${client.cluster.name}`, async () =>
      parseSelfSubjectReview(
        await client.json<unknown>({
          method: 'POST',
          path: '/apis/authentication.k8s.io/v1/selfsubjectreviews',
          body: { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' },
          timeoutMs: REVIEW_TIMEOUT_MS,
        }),
      ),
    );
  }
}
