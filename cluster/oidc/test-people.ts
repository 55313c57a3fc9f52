// The people of the test environment: who can sign in at the local OpenID provider, with which
// password, and which groups their ID tokens carry. Their Kubernetes rights come from the RBAC bindings
// in cluster/demo/01-people.yaml, which name the same emails and groups (the API server takes the
// username from `email` and the groups from `groups`, both without a prefix).
import { timingSafeEqual } from 'node:crypto';

export type TestUserName = 'dana' | 'victor' | 'olga' | 'nora';

export interface TestPerson {
  /** The account id, and the ID token's `sub`. */
  readonly sub: TestUserName;
  readonly email: string;
  readonly name: string;
  readonly groups: readonly string[];
  /** What the person stands for in the tests. */
  readonly role: 'developer' | 'viewer' | 'operator' | 'no bindings';
}

export const TEST_PEOPLE: Readonly<Record<TestUserName, TestPerson>> = {
  dana: {
    sub: 'dana',
    email: 'dana@podscope.test',
    name: 'Dana Developer',
    groups: ['dev-team'],
    role: 'developer',
  },
  victor: {
    sub: 'victor',
    email: 'victor@podscope.test',
    name: 'Victor Viewer',
    groups: ['viewers'],
    role: 'viewer',
  },
  olga: {
    sub: 'olga',
    email: 'olga@podscope.test',
    name: 'Olga Operator',
    groups: ['platform-admins'],
    role: 'operator',
  },
  nora: { sub: 'nora', email: 'nora@podscope.test', name: 'Nora Nobody', groups: [], role: 'no bindings' },
};

export const TEST_USER_NAMES = Object.keys(TEST_PEOPLE) as TestUserName[];

/** Every test person's password: the local part of the email and `-password` (`dana-password`). */
export function testPassword(user: TestUserName): string {
  return `${user}-password`;
}

/** The person a login name stands for: the email or its local part, case-insensitive. */
export function findPerson(login: string): TestPerson | undefined {
  const wanted = login.trim().toLowerCase();
  return Object.values(TEST_PEOPLE).find((p) => p.email === wanted || p.sub === wanted);
}

/** The person when `login` and `password` match, compared in constant time; otherwise undefined. */
export function checkPassword(login: string, password: string): TestPerson | undefined {
  const person = findPerson(login);
  if (!person) return undefined;
  const want = Buffer.from(testPassword(person.sub));
  const got = Buffer.from(password);
  return got.length === want.length && timingSafeEqual(got, want) ? person : undefined;
}

/** The claims the provider may release for a person (it filters them by the granted scopes). */
export function claimsOf(person: TestPerson): Record<string, unknown> {
  return {
    sub: person.sub,
    email: person.email,
    // The API server refuses a token whose `email_verified` is present and false.
    email_verified: true,
    name: person.name,
    preferred_username: person.sub,
    groups: [...person.groups],
  };
}
