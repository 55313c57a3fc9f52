import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parsePasswd, planUserSwitch, SU_EXEC_SCRIPT } from './user-switch.js';

const PASSWD = [
  'root:x:0:0:root:/root:/bin/sh',
  'app:x:1000:1001:app:/home/app:/bin/sh',
  '# comment',
  'broken line',
  'weird:x:abc:1::/:/bin/false',
  'nobody:x:65534:65534:nobody:/nonexistent:/bin/false',
  '',
].join('\n');

const LOCK = ['--no-new-privs', '--bounding-set=-all', '--inh-caps=-all'];

describe('parsePasswd', () => {
  it('reads name, uid and gid and skips malformed lines', () => {
    assert.deepEqual(parsePasswd(PASSWD), [
      { name: 'root', uid: 0, gid: 0 },
      { name: 'app', uid: 1000, gid: 1001 },
      { name: 'nobody', uid: 65534, gid: 65534 },
    ]);
  });
});

describe('planUserSwitch', () => {
  const passwd = parsePasswd(PASSWD);

  it('offers setpriv then su for a user in /etc/passwd, by name or uid', () => {
    for (const user of ['app', 1000] as const) {
      const plan = planUserSwitch(user, passwd);
      assert.ok(plan.ok);
      assert.equal(plan.uid, 1000);
      assert.equal(plan.name, 'app');
      assert.deepEqual(
        plan.candidates.map((c) => c.wrap(['bash'])),
        [
          ['setpriv', '--reuid=1000', '--regid=1001', '--init-groups', ...LOCK, '--', 'bash'],
          ['su', '-s', '/bin/sh', '-c', SU_EXEC_SCRIPT, '--', 'app', 'bash'],
        ],
      );
    }
  });

  it('passes the argv as separate words, never inside the shell string', () => {
    const plan = planUserSwitch('app', passwd);
    assert.ok(plan.ok);
    const argv = plan.candidates[1]?.wrap(['sh', '-c', 'rm -rf /; echo "$x"']);
    assert.deepEqual(argv?.slice(-3), ['sh', '-c', 'rm -rf /; echo "$x"']);
    assert.equal(argv?.[4], 'exec "$0" "$@"');
  });

  it('uses setpriv only, with gid = uid and no groups, for a uid without an entry', () => {
    const plan = planUserSwitch(4242, passwd);
    assert.ok(plan.ok);
    assert.equal(plan.name, null);
    assert.deepEqual(
      plan.candidates.map((c) => c.wrap(['id', '-u'])),
      [['setpriv', '--reuid=4242', '--regid=4242', '--clear-groups', ...LOCK, '--', 'id', '-u']],
    );
    const unread = planUserSwitch(4242, null);
    assert.ok(unread.ok);
    assert.equal(unread.candidates.length, 1);
  });

  it('refuses an unknown name, a name it cannot look up, and a uid-0 alias', () => {
    const unknown = planUserSwitch('ghost', passwd);
    assert.deepEqual(unknown, { ok: false, message: 'the container has no user "ghost" in /etc/passwd' });
    const unread = planUserSwitch('app', null);
    assert.ok(!unread.ok && /cannot be read/.test(unread.message));
    const toor = planUserSwitch('toor', parsePasswd('toor:x:0:0::/:/bin/sh'));
    assert.ok(!toor.ok && /uid 0, which is root/.test(toor.message));
  });
});
