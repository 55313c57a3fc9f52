import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { BearerTokenCredential, type Identity as KubeCallIdentity } from '../kube/identity.js';
import {
  auditAccess,
  auditIdentityOf,
  canRead,
  isOwnSession,
  kubeIdentityOf,
  readableFilter,
  viewNeedsRecord,
  viewPolicy,
} from './audit-people.js';

const ISSUER = 'https://10.213.0.1:5556';
const dana: KubeCallIdentity = {
  user: 'dana@podscope.test',
  groups: ['dev-team', 'system:authenticated'],
  subject: `${ISSUER}#dana`,
  email: 'dana@podscope.test',
};
const olga: KubeCallIdentity = {
  user: 'olga@podscope.test',
  groups: ['platform-admins'],
  subject: `${ISSUER}#olga`,
  email: 'olga@podscope.test',
};
const sa = (name: string): KubeCallIdentity => ({
  user: `system:serviceaccount:team:${name}`,
  groups: ['system:serviceaccounts', 'system:serviceaccounts:team', 'system:authenticated'],
  credential: new BearerTokenCredential('local', `token-of-${name}`),
});

describe('the identity an audit record names', () => {
  test('each way in: kubeconfig, ServiceAccount, token, impersonation', () => {
    const cases: [string, ReturnType<typeof auditIdentityOf>, unknown][] = [
      [
        'local mode: the kubeconfig entry',
        auditIdentityOf(null, null, 'kubernetes-admin'),
        {
          user: 'kubeconfig:kubernetes-admin',
          groups: [],
          kube: { method: 'kubeconfig', user: 'kubernetes-admin', groups: [] },
        },
      ],
      [
        'a pod nobody signed in to: its ServiceAccount',
        auditIdentityOf(null, null, 'system:serviceaccount:podscope:podscope'),
        {
          user: 'system:serviceaccount:podscope:podscope',
          groups: [],
          kube: { method: 'service-account', user: 'system:serviceaccount:podscope:podscope', groups: [] },
        },
      ],
      [
        'no current user at all',
        auditIdentityOf(null, null, undefined),
        {
          user: 'kubeconfig:unknown',
          groups: [],
          kube: { method: 'kubeconfig', user: 'unknown', groups: [] },
        },
      ],
      [
        'token login: the person is the token subject, and the token is what Kubernetes sees',
        auditIdentityOf(sa('dev'), sa('dev'), 'system:serviceaccount:podscope:podscope'),
        {
          user: 'system:serviceaccount:team:dev',
          groups: sa('dev').groups,
          kube: { method: 'token', user: 'system:serviceaccount:team:dev', groups: sa('dev').groups },
        },
      ],
      [
        'single sign-on, impersonation: Podscope impersonates the person and their groups',
        auditIdentityOf(
          dana,
          { user: dana.user, groups: dana.groups },
          'system:serviceaccount:podscope:podscope',
        ),
        {
          user: 'dana@podscope.test',
          groups: dana.groups,
          subject: `${ISSUER}#dana`,
          email: 'dana@podscope.test',
          kube: { method: 'impersonation', user: 'dana@podscope.test', groups: dana.groups },
        },
      ],
      [
        'single sign-on, token pass-through',
        auditIdentityOf(dana, { ...dana, credential: new BearerTokenCredential('local', 'id-token') }, 'x'),
        {
          user: 'dana@podscope.test',
          groups: dana.groups,
          subject: `${ISSUER}#dana`,
          email: 'dana@podscope.test',
          kube: { method: 'token', user: 'dana@podscope.test', groups: dana.groups },
        },
      ],
    ];
    for (const [name, got, want] of cases) assert.deepEqual(got, want, name);
  });

  test('never keeps the credential, and copies the groups', () => {
    const person = sa('dev');
    const got = auditIdentityOf(person, person, undefined);
    assert.doesNotMatch(JSON.stringify(got), /token-of-dev/);
    person.groups.push('added-later');
    assert.equal(got.groups.includes('added-later'), false);
    assert.equal(got.kube?.groups.includes('added-later'), false);
  });

  test('a kubeconfig entry that merely looks like a ServiceAccount is a kubeconfig entry', () => {
    assert.equal(kubeIdentityOf(null, 'system:serviceaccount:Bad NS:x').method, 'kubeconfig');
    assert.equal(kubeIdentityOf(null, 'system:serviceaccount:ns:sa').method, 'service-account');
  });
});

describe('who reads which audit records', () => {
  const groups = ['platform-admins', 'system:serviceaccounts:auditors'];
  const record = (who: KubeCallIdentity) => auditIdentityOf(who, who, undefined);

  test('local mode (nobody signed in) reads everything and records no views', () => {
    const access = auditAccess(null, groups);
    assert.equal(access.scope, 'all');
    assert.ok(canRead(access, record(dana)));
    assert.equal(viewNeedsRecord(access, record(dana)), false);
    assert.deepEqual(readableFilter(access, { user: 'x' }), { user: 'x' });
  });

  test('a member of an auditor group reads everyone, and opening another person’s recording is recorded', () => {
    const access = auditAccess(olga, groups);
    assert.deepEqual(access, {
      scope: 'all',
      viewer: { user: olga.user, groups: olga.groups, subject: olga.subject, email: olga.email },
      auditorGroup: 'platform-admins',
    });
    assert.ok(canRead(access, record(dana)));
    assert.ok(viewNeedsRecord(access, record(dana)));
    assert.equal(viewNeedsRecord(access, record(olga)), false, 'their own recording');
    assert.equal(viewPolicy(access), 'auditor: member of platform-admins');
    assert.deepEqual(readableFilter(access, { user: dana.user }), { user: dana.user });
    const saAuditor = auditAccess(
      { user: 'system:serviceaccount:auditors:a', groups: ['system:serviceaccounts:auditors'] },
      groups,
    );
    assert.equal(saAuditor.scope, 'all');
  });

  test('anyone else reads their own sessions only: by subject when they have one', () => {
    const access = auditAccess(dana, groups);
    assert.equal(access.scope, 'own');
    assert.ok(canRead(access, record(dana)));
    assert.equal(canRead(access, record(olga)), false);
    // The same username under another provider's subject is someone else.
    assert.equal(canRead(access, { ...record(dana), subject: 'https://other#dana' }), false);
    assert.equal(canRead(access, { user: dana.user, groups: [] }), false, 'a record without a subject');
    assert.deepEqual(readableFilter(access, { namespace: 'demo' }), {
      namespace: 'demo',
      subject: dana.subject,
    });
    assert.equal(readableFilter(access, { subject: olga.subject }), null);
    assert.deepEqual(readableFilter(access, { user: olga.user }), {
      user: olga.user,
      subject: dana.subject,
    });
    assert.equal(viewNeedsRecord(access, record(dana)), false);
    assert.equal(viewPolicy(access), 'own session');
  });

  test('…and by username when they have no subject (token login)', () => {
    const access = auditAccess(sa('dev'), groups);
    assert.equal(access.scope, 'own');
    assert.ok(canRead(access, record(sa('dev'))));
    assert.equal(canRead(access, record(sa('other'))), false);
    assert.deepEqual(readableFilter(access, {}), { user: sa('dev').user });
    assert.deepEqual(readableFilter(access, { user: sa('dev').user }), { user: sa('dev').user });
    assert.equal(readableFilter(access, { user: sa('other').user }), null);
    assert.ok(isOwnSession(record(sa('dev')), record(sa('dev'))));
  });

  test('no auditor groups configured: nobody signed in reads others’ sessions', () => {
    assert.equal(auditAccess(olga, []).scope, 'own');
  });
});
