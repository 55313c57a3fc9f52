import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { classifyImagePull, pullErrorText, registryHost } from './image-pull.js';

// Error texts as containerd 1.6/1.7 and the kubelet word them (the first is recorded from the local cluster).
const cases: [name: string, reason: string, text: string, image: string, cls: string, detail: string][] = [
  [
    'DNS',
    'ImagePullBackOff',
    'failed to pull and unpack image "podscope.local/reports-does-not-exist:9.9": failed to resolve reference "podscope.local/reports-does-not-exist:9.9": failed to do request: Head "https://podscope.local/v2/reports-does-not-exist/manifests/9.9": dial tcp: lookup podscope.local: no such host',
    'podscope.local/reports-does-not-exist:9.9',
    'registry-unreachable',
    'the registry host podscope.local does not resolve (DNS)',
  ],
  [
    'containerd 404',
    'ErrImagePull',
    'rpc error: code = NotFound desc = failed to pull and unpack image "registry.example.com/shop/catalog:does-not-exist": failed to resolve reference "registry.example.com/shop/catalog:does-not-exist": registry.example.com/shop/catalog:does-not-exist: not found',
    'registry.example.com/shop/catalog:does-not-exist',
    'not-found',
    'registry.example.com has no image registry.example.com/shop/catalog:does-not-exist (repository or tag not found)',
  ],
  [
    'manifest unknown',
    'ErrImagePull',
    'rpc error: code = Unknown desc = Error response from daemon: manifest for ghcr.io/acme/api:v9 not found: manifest unknown: manifest unknown',
    'ghcr.io/acme/api:v9',
    'tag-not-found',
    'the registry has the repository but no tag v9',
  ],
  [
    'Docker Hub: missing or private',
    'ErrImagePull',
    'failed to pull and unpack image "docker.io/acme/secret:1": failed to resolve reference "docker.io/acme/secret:1": pull access denied, repository does not exist or may require authorization: server message: insufficient_scope: authorization failed',
    'acme/secret:1',
    'denied',
    'the registry refused: the repository does not exist or needs credentials',
  ],
  [
    '401',
    'ErrImagePull',
    'failed to pull and unpack image "registry.example.com/private/app:1": failed to resolve reference "registry.example.com/private/app:1": failed to authorize: failed to fetch oauth token: unexpected status: 401 Unauthorized',
    'registry.example.com/private/app:1',
    'unauthorized',
    "the registry registry.example.com refused the node's credentials",
  ],
  [
    'refused',
    'ErrImagePull',
    'failed to do request: Head "https://10.0.0.9:5000/v2/app/manifests/1": dial tcp 10.0.0.9:5000: connect: connection refused',
    '10.0.0.9:5000/app:1',
    'registry-unreachable',
    'the registry 10.0.0.9:5000 refuses connections',
  ],
  [
    'plain HTTP registry',
    'ErrImagePull',
    'failed to do request: Head "https://localhost:5000/v2/app/manifests/1": http: server gave HTTP response to HTTPS client',
    'localhost:5000/app:1',
    'registry-unreachable',
    'the registry localhost:5000 speaks plain HTTP and the node expects HTTPS',
  ],
  [
    'untrusted certificate',
    'ErrImagePull',
    'failed to do request: Head "https://registry.corp/v2/app/manifests/1": tls: failed to verify certificate: x509: certificate signed by unknown authority',
    'registry.corp/app:1',
    'registry-unreachable',
    "the registry registry.corp's TLS certificate is not trusted by the node",
  ],
  [
    'timeout',
    'ErrImagePull',
    'failed to do request: Head "https://quay.io/v2/x/y/manifests/1": dial tcp 1.2.3.4:443: i/o timeout',
    'quay.io/x/y:1',
    'registry-unreachable',
    'the registry quay.io does not answer (timeout)',
  ],
  [
    'invalid name (recorded)',
    'InvalidImageName',
    'Failed to apply default image tag "podscope.local/Reports:9.9": couldn\'t parse image name "podscope.local/Reports:9.9": invalid reference format: repository name (Reports) must be lowercase',
    'podscope.local/Reports:9.9',
    'invalid-name',
    'the image reference is invalid (repository name (Reports) must be lowercase)',
  ],
  [
    'never pull (recorded)',
    'ErrImageNeverPull',
    'Container image "podscope.local/absent:1" is not present with pull policy of Never',
    'podscope.local/absent:1',
    'not-present',
    'the image is not on the node and imagePullPolicy is Never',
  ],
  [
    'something else',
    'ErrImagePull',
    'rpc error: code = Unknown desc = disk full',
    'a/b:1',
    'failed',
    'the pull failed',
  ],
];

describe('image pull failures', () => {
  for (const [name, reason, text, image, cls, detail] of cases) {
    test(name, () => {
      assert.deepEqual(classifyImagePull(reason, text, image), { class: cls, detail });
    });
  }

  test('registry host of a reference', () => {
    assert.equal(registryHost('nginx:1'), 'docker.io');
    assert.equal(registryHost('library/nginx'), 'docker.io');
    assert.equal(registryHost('localhost/app'), 'localhost');
    assert.equal(registryHost('ghcr.io/a/b:1'), 'ghcr.io');
    assert.equal(registryHost('10.0.0.9:5000/app'), '10.0.0.9:5000');
  });

  test("the error part of the kubelet's messages", () => {
    assert.equal(pullErrorText('Failed to pull image "a/b:1": rpc error: x'), 'rpc error: x');
    assert.equal(pullErrorText('Back-off pulling image "a/b:1": ErrImagePull: y'), 'ErrImagePull: y');
    assert.equal(pullErrorText('Back-off pulling image "a/b:1"'), '');
  });
});
