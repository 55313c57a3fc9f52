// Services and DNS work in the local cluster as in any real one: kube-proxy turns ClusterIPs into
// rules, CoreDNS answers cluster names, and a pod reaches the API server through the `kubernetes`
// Service with its ServiceAccount token.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { V1Service } from '@kubernetes/client-node';
import {
  APP_IMAGE,
  DEBUG_IMAGE,
  getJson,
  kubectl,
  kubectlOk,
  uniqueName,
  waitFor,
} from '../../support/cluster.js';

const ns = uniqueName('svc');
const SERVER_PAGE = 'hello from the web pod';

function pod(name: string, image: string, labels: Record<string, string>, script: string) {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: ns, labels },
    spec: {
      terminationGracePeriodSeconds: 0,
      containers: [{ name: 'main', image, imagePullPolicy: 'Never', command: ['sh', '-c', script] }],
    },
  };
}

/** Runs an argv in the client pod; resolves with its output, failing the test on a non-zero exit. */
async function inClient(argv: string[]): Promise<string> {
  const r = await kubectl(['-n', ns, 'exec', 'client', '--', ...argv], { timeoutMs: 30_000 });
  assert.equal(r.code, 0, `${argv.join(' ')} failed: ${r.stderr}${r.stdout}`);
  return r.stdout;
}

/** The addresses busybox nslookup prints for a name (skipping the server's own address). */
function answeredAddresses(nslookupOutput: string): string[] {
  const answer = nslookupOutput
    .split(/\n\s*\n/)
    .slice(1)
    .join('\n');
  return [...answer.matchAll(/^Address(?: \d+)?:\s*([0-9.]+)/gm)].map((m) => m[1]!);
}

describe('Services and cluster DNS', () => {
  let clusterIp = '';

  before(async () => {
    await kubectlOk(['create', 'namespace', ns]);
    await waitFor('the namespace ServiceAccount', async () =>
      (await kubectl(['-n', ns, 'get', 'serviceaccount', 'default'])).code === 0 ? true : undefined,
    );
    const manifests = [
      pod(
        'web',
        APP_IMAGE,
        { app: 'web' },
        `mkdir -p /tmp/www && echo '${SERVER_PAGE}' > /tmp/www/index.html && exec httpd -f -p 8080 -h /tmp/www`,
      ),
      pod('client', DEBUG_IMAGE, { app: 'client' }, 'exec sleep 3600'),
      {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'web', namespace: ns },
        spec: { selector: { app: 'web' }, ports: [{ port: 80, targetPort: 8080 }] },
      },
    ];
    const applied = await kubectl(['apply', '-f', '-'], {
      input: JSON.stringify({ apiVersion: 'v1', kind: 'List', items: manifests }),
    });
    assert.equal(applied.code, 0, applied.stderr);
    await kubectlOk(['-n', ns, 'wait', '--for=condition=Ready', 'pod/web', 'pod/client', '--timeout=90s'], {
      timeoutMs: 100_000,
    });
    clusterIp = (await getJson<V1Service>(['-n', ns, 'get', 'service', 'web'])).spec?.clusterIP ?? '';
    assert.match(clusterIp, /^10\.215\.0\.\d+$/);
  });

  after(async () => {
    await kubectl(['delete', 'namespace', ns, '--wait=false']);
  });

  test('a pod reaches a Service by its ClusterIP (kube-proxy)', async () => {
    const page = await waitFor(
      'the ClusterIP answers',
      async () => {
        const r = await kubectl([
          '-n',
          ns,
          'exec',
          'client',
          '--',
          'curl',
          '-sS',
          '--max-time',
          '5',
          `http://${clusterIp}/`,
        ]);
        return r.code === 0 ? r.stdout : undefined;
      },
      30_000,
    );
    assert.equal(page.trim(), SERVER_PAGE);
  });

  test('CoreDNS resolves kubernetes.default.svc.cluster.local to the kubernetes Service', async () => {
    const out = await inClient(['nslookup', 'kubernetes.default.svc.cluster.local']);
    assert.deepEqual(answeredAddresses(out), ['10.215.0.1'], out);
  });

  test('CoreDNS resolves a Service by its full name, and by its short name through the search path', async () => {
    const full = await inClient(['nslookup', `web.${ns}.svc.cluster.local`]);
    assert.deepEqual(answeredAddresses(full), [clusterIp], full);
    const page = await inClient(['curl', '-sS', '--max-time', '5', 'http://web/']);
    assert.equal(page.trim(), SERVER_PAGE);
  });

  test('a pod reaches the API server through the kubernetes Service with its ServiceAccount token', async () => {
    // A SelfSubjectReview needs no RBAC grant: any authenticated caller may ask who it is. TLS is
    // verified against the cluster CA for the name kubernetes.default.svc.
    const sa = '/var/run/secrets/kubernetes.io/serviceaccount';
    const out = await inClient([
      'sh',
      '-c',
      `curl -sS --max-time 10 --cacert ${sa}/ca.crt -H "Authorization: Bearer $(cat ${sa}/token)" ` +
        `-H 'Content-Type: application/json' -X POST ` +
        `-d '{"apiVersion":"authentication.k8s.io/v1","kind":"SelfSubjectReview"}' ` +
        `https://kubernetes.default.svc/apis/authentication.k8s.io/v1/selfsubjectreviews`,
    ]);
    const review = JSON.parse(out) as { status?: { userInfo?: { username?: string } } };
    assert.equal(review.status?.userInfo?.username, `system:serviceaccount:${ns}:default`, out);
  });
});
