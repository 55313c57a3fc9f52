import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  checkPassword,
  claimsOf,
  findPerson,
  TEST_PEOPLE,
  TEST_USER_NAMES,
  testPassword,
} from './test-people.js';

describe('the test people', () => {
  it('are the developer, the viewer, the operator and someone with no bindings', () => {
    assert.deepEqual(
      TEST_USER_NAMES.map((u) => [TEST_PEOPLE[u].email, TEST_PEOPLE[u].groups.join(',')]),
      [
        ['dana@podscope.test', 'dev-team'],
        ['victor@podscope.test', 'viewers'],
        ['olga@podscope.test', 'platform-admins'],
        ['nora@podscope.test', ''],
      ],
    );
  });

  it('sign in with their name or email (any case) and <name>-password', () => {
    assert.equal(checkPassword('dana', 'dana-password')?.sub, 'dana');
    assert.equal(checkPassword(' Victor@Podscope.Test ', testPassword('victor'))?.sub, 'victor');
  });

  it("are refused with a wrong, empty, other person's or differently cased password, or an unknown name", () => {
    assert.equal(checkPassword('dana', 'dana-passwor'), undefined);
    assert.equal(checkPassword('dana', ''), undefined);
    assert.equal(checkPassword('dana', 'olga-password'), undefined);
    assert.equal(checkPassword('dana', 'DANA-PASSWORD'), undefined);
    assert.equal(checkPassword('mallory', 'mallory-password'), undefined);
    assert.equal(findPerson(''), undefined);
  });

  it("carry a verified email and their groups in their claims (the API server's username and groups)", () => {
    assert.deepEqual(claimsOf(TEST_PEOPLE.olga), {
      sub: 'olga',
      email: 'olga@podscope.test',
      email_verified: true,
      name: 'Olga Operator',
      preferred_username: 'olga',
      groups: ['platform-admins'],
    });
    assert.deepEqual(claimsOf(TEST_PEOPLE.nora).groups, []);
  });
});
