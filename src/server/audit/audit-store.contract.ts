/**
 * What every AuditStore must do, whatever stores it. Run it from each implementation's test file:
 *
 *   runAuditStoreContract('SqliteAuditStore', async () => new SqliteAuditStore(tmpFile()), {
 *     makeUnwritableStore, openSameStorage,
 *   });
 *
 * `makeStore` must return an empty store each time. `makeUnwritableStore` returns a store whose storage
 * refuses writes; `openSameStorage` a second store on the storage of the one given (another process, or
 * another replica). Every real implementation provides both.
 */

import { describe, it, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import type { Readable } from 'node:stream';
import {
  AuditStoreError,
  MAX_PAGE_SIZE,
  type AuditStore,
  type AuditStoreErrorCode,
  type RecordingSink,
  type SessionKind,
  type SessionStart,
} from './audit-store.js';
import { AsciicastWriter, limitMarkerText, parseAsciicast } from '../terminal/recording/asciicast.js';

export interface AuditStoreContractOptions {
  makeUnwritableStore: () => Promise<AuditStore>;
  openSameStorage: (store: AuditStore) => Promise<AuditStore>;
}

const UNKNOWN_ID = '00000000-0000-4000-8000-000000000000';

async function readAll(stream: Readable | undefined): Promise<Buffer | undefined> {
  if (stream === undefined) return undefined;
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** A sink that keeps what it is given, to compare a store's recording with. */
function memorySink(): RecordingSink & { bytes: () => Buffer } {
  const chunks: Buffer[] = [];
  return {
    write: async (data) => void chunks.push(Buffer.from(data)),
    sync: async () => undefined,
    close: async () => undefined,
    bytes: () => Buffer.concat(chunks),
  };
}

const T0 = Date.UTC(2026, 0, 15, 9, 0, 0);

export function sessionStart(overrides: Partial<SessionStart> = {}): SessionStart {
  return {
    identity: {
      user: 'alice@example.com',
      groups: ['team-a', 'system:authenticated'],
      subject: 'https://login.example.com#5d8a-41c2',
      email: 'alice@example.com',
      kube: { method: 'impersonation', user: 'alice@example.com', groups: ['team-a'] },
    },
    startedAt: new Date(T0),
    cluster: 'prod-eu',
    namespace: 'shop',
    pod: 'web-7d9f8-abcde',
    container: 'app',
    kind: 'exec',
    command: ['/bin/sh', '-c', 'echo "$HOME"; ls -la'],
    policy: 'production: non-root exec',
    clientAddress: '203.0.113.7',
    details: { tty: true, profile: null, nested: { list: [1, 'two'] } },
    ...overrides,
  };
}

function isStoreError(code: AuditStoreErrorCode) {
  return (error: unknown) => {
    assert.ok(error instanceof AuditStoreError, `expected AuditStoreError, got ${String(error)}`);
    assert.equal(error.code, code);
    return true;
  };
}

export function runAuditStoreContract(
  name: string,
  makeStore: () => Promise<AuditStore>,
  options: AuditStoreContractOptions,
): void {
  describe(`AuditStore contract: ${name}`, () => {
    const open: AuditStore[] = [];
    const fresh = async () => {
      const store = await makeStore();
      open.push(store);
      return store;
    };
    afterEach(async () => {
      await Promise.all(open.splice(0).map((s) => s.close()));
    });

    describe('session start', () => {
      it('stores every field of the start and reads it back unchanged', async () => {
        const store = await fresh();
        const rec = sessionStart();
        const id = await store.startSession(rec);
        const got = await store.getSession(id);
        assert.ok(got);
        assert.deepEqual(got, {
          ...rec,
          id,
          endedAt: null,
          exitCode: null,
          bytesIn: null,
          bytesOut: null,
          outcome: null,
          error: null,
          recordingPath: null,
          recordingTruncatedAt: null,
          replica: null,
          commands: [],
        });
      });

      it('keeps the person and the Kubernetes identity of each way in, and leaves out what is unknown', async () => {
        const store = await fresh();
        const identities = [
          // Local mode: the kubeconfig's user; in a pod nobody signed in to: the ServiceAccount.
          { user: 'kubeconfig:admin', groups: [], kube: { method: 'kubeconfig', user: 'admin', groups: [] } },
          {
            user: 'system:serviceaccount:podscope:podscope',
            groups: [],
            kube: { method: 'service-account', user: 'system:serviceaccount:podscope:podscope', groups: [] },
          },
          // Token login: the person is the token's subject, and the token is what Kubernetes sees.
          {
            user: 'system:serviceaccount:team:dev',
            groups: ['system:serviceaccounts', 'system:serviceaccounts:team'],
            kube: {
              method: 'token',
              user: 'system:serviceaccount:team:dev',
              groups: ['system:serviceaccounts', 'system:serviceaccounts:team'],
            },
          },
          // Who opened a recording: no Kubernetes call, no Kubernetes identity; unicode kept.
          { user: 'zoë@example.com', groups: ['ops'], subject: 'https://idp#zoë', email: 'zoë@example.com' },
          { user: 'bare', groups: [] },
        ] as const satisfies SessionStart['identity'][];
        for (const identity of identities) {
          const id = await store.startSession(sessionStart({ identity: structuredClone(identity) as never }));
          assert.deepEqual((await store.getSession(id))?.identity, identity);
          const listed = (await store.listSessions()).sessions.find((s) => s.id === id);
          assert.deepEqual(listed?.identity, identity);
        }
      });

      it('refuses an identity that is not one', async () => {
        const store = await fresh();
        const base = { user: 'alice', groups: [] as string[] };
        const bad = [
          { ...base, subject: '' },
          { ...base, email: 42 },
          { ...base, user: 'x'.repeat(1025) },
          { ...base, groups: ['a', 7] },
          { ...base, kube: { method: 'magic', user: 'alice', groups: [] } },
          { ...base, kube: { method: 'token', user: '', groups: [] } },
          { ...base, kube: { method: 'token', user: 'alice', groups: 'admins' } },
          { ...base, kube: null },
        ];
        for (const identity of bad) {
          await assert.rejects(
            store.startSession(sessionStart({ identity: identity as never })),
            isStoreError('invalid'),
            JSON.stringify(identity),
          );
        }
        assert.deepEqual((await store.listSessions()).sessions, []);
      });

      it('keeps audit-view records: who opened whose recording', async () => {
        const store = await fresh();
        const viewed = await store.startSession(sessionStart());
        const id = await store.startSession(
          sessionStart({
            kind: 'audit-view',
            identity: { user: 'olga@example.com', groups: ['platform-admins'], email: 'olga@example.com' },
            command: [],
            policy: 'auditor: member of platform-admins',
            details: { viewedSession: viewed, owner: { user: 'alice@example.com' } },
          }),
        );
        const got = await store.getSession(id);
        assert.equal(got?.kind, 'audit-view');
        assert.equal(got?.identity.kube, undefined);
        assert.deepEqual(got?.details, { viewedSession: viewed, owner: { user: 'alice@example.com' } });
        assert.deepEqual(
          (await store.listSessions({ kind: 'audit-view' })).sessions.map((s) => s.id),
          [id],
        );
      });

      it('keeps the replica that runs the session', async () => {
        const store = await fresh();
        const id = await store.startSession(sessionStart({ replica: 'podscope-7d9f8-x2x4q-3k9a1c' }));
        assert.equal((await store.getSession(id))?.replica, 'podscope-7d9f8-x2x4q-3k9a1c');
        const listed = await store.listSessions();
        assert.equal(listed.sessions[0]?.replica, 'podscope-7d9f8-x2x4q-3k9a1c');
      });

      it('refuses a replica id that is not one', async () => {
        const store = await fresh();
        for (const replica of ['', ' a', 'a/b', 'x'.repeat(254), '-a']) {
          await assert.rejects(store.startSession(sessionStart({ replica })), isStoreError('invalid'));
        }
      });

      it('gives each session a distinct id', async () => {
        const store = await fresh();
        const ids = new Set<string>();
        for (let i = 0; i < 20; i++) ids.add(await store.startSession(sessionStart()));
        assert.equal(ids.size, 20);
      });

      it('keeps a null container and client address, empty details and an empty command', async () => {
        const store = await fresh();
        const id = await store.startSession(
          sessionStart({
            container: null,
            clientAddress: null,
            details: undefined,
            command: [],
            kind: 'copy',
          }),
        );
        const got = await store.getSession(id);
        assert.equal(got?.container, null);
        assert.equal(got?.clientAddress, null);
        assert.deepEqual(got?.details, {});
        assert.deepEqual(got?.command, []);
        assert.equal(got?.kind, 'copy');
      });

      it('keeps argv elements exactly, including spaces, quotes and unicode', async () => {
        const store = await fresh();
        const command = ['sh', '-c', `printf '%s\\n' "a b" ; rm -rf "/tmp/ü x"`, '', '😀'];
        const id = await store.startSession(sessionStart({ command }));
        assert.deepEqual((await store.getSession(id))?.command, command);
      });

      it('rejects an invalid start without writing anything', async () => {
        const store = await fresh();
        const bad: SessionStart[] = [
          sessionStart({ identity: { user: '', groups: [] } }),
          sessionStart({ kind: 'shell' as never }),
          sessionStart({ command: 'rm -rf /' as never }),
          sessionStart({ startedAt: new Date(Number.NaN) }),
          sessionStart({ pod: '' }),
          sessionStart({ details: { big: BigInt(1) } }),
        ];
        for (const rec of bad) await assert.rejects(store.startSession(rec), isStoreError('invalid'));
        assert.deepEqual((await store.listSessions()).sessions, []);
      });

      it('is listed as soon as it starts, before it ends (an audit record exists while the stream runs)', async () => {
        const store = await fresh();
        const id = await store.startSession(sessionStart());
        const page = await store.listSessions();
        assert.deepEqual(
          page.sessions.map((s) => [s.id, s.endedAt]),
          [[id, null]],
        );
      });
    });

    describe('session end', () => {
      it('records exit code, end time, byte counts and error', async () => {
        const store = await fresh();
        const id = await store.startSession(sessionStart());
        const endedAt = new Date(T0 + 61_000);
        await store.endSession(id, {
          exitCode: 3,
          endedAt,
          bytesIn: 120,
          bytesOut: 4096,
          error: 'socket closed',
        });
        const got = await store.getSession(id);
        assert.deepEqual(
          [got?.exitCode, got?.endedAt, got?.bytesIn, got?.bytesOut, got?.error],
          [3, endedAt, 120, 4096, 'socket closed'],
        );
      });

      it("keeps the outcome of the action (e.g. a transferred file's size and sha256)", async () => {
        const store = await fresh();
        const id = await store.startSession(sessionStart());
        const outcome = { bytes: 42, sha256: 'ab'.repeat(32), verifiedInContainer: true };
        await store.endSession(id, {
          exitCode: 0,
          endedAt: new Date(T0 + 10),
          bytesIn: 42,
          bytesOut: 0,
          outcome,
        });
        assert.deepEqual((await store.getSession(id))?.outcome, outcome);
        const other = await store.startSession(sessionStart());
        await store.endSession(other, { exitCode: 0, endedAt: new Date(T0 + 10), bytesIn: 0, bytesOut: 0 });
        assert.equal((await store.getSession(other))?.outcome, null);
      });

      it('records an unknown exit status as null', async () => {
        const store = await fresh();
        const id = await store.startSession(sessionStart());
        await store.endSession(id, { exitCode: null, endedAt: new Date(T0 + 1), bytesIn: 0, bytesOut: 0 });
        const got = await store.getSession(id);
        assert.equal(got?.exitCode, null);
        assert.equal(got?.error, null);
        assert.deepEqual(got?.endedAt, new Date(T0 + 1));
      });

      it('is idempotent: a second end changes nothing', async () => {
        const store = await fresh();
        const id = await store.startSession(sessionStart());
        await store.endSession(id, { exitCode: 0, endedAt: new Date(T0 + 5000), bytesIn: 1, bytesOut: 2 });
        await store.endSession(id, {
          exitCode: 137,
          endedAt: new Date(T0 + 9000),
          bytesIn: 10,
          bytesOut: 20,
          error: 'later',
        });
        const got = await store.getSession(id);
        assert.deepEqual(
          [got?.exitCode, got?.endedAt, got?.bytesIn, got?.bytesOut, got?.error],
          [0, new Date(T0 + 5000), 1, 2, null],
        );
      });

      it('rejects ending a session that was never started', async () => {
        const store = await fresh();
        await assert.rejects(
          store.endSession(UNKNOWN_ID, {
            exitCode: 0,
            endedAt: new Date(T0),
            bytesIn: 0,
            bytesOut: 0,
          }),
          isStoreError('not-found'),
        );
      });

      it('rejects an end before the start, and invalid counts', async () => {
        const store = await fresh();
        const id = await store.startSession(sessionStart());
        await assert.rejects(
          store.endSession(id, { exitCode: 0, endedAt: new Date(T0 - 1), bytesIn: 0, bytesOut: 0 }),
          isStoreError('invalid'),
        );
        await assert.rejects(
          store.endSession(id, { exitCode: 0, endedAt: new Date(T0), bytesIn: -1, bytesOut: 0 }),
          isStoreError('invalid'),
        );
        await assert.rejects(
          store.endSession(id, { exitCode: 1.5, endedAt: new Date(T0), bytesIn: 0, bytesOut: 0 }),
          isStoreError('invalid'),
        );
        assert.equal((await store.getSession(id))?.endedAt, null);
      });
    });

    describe('commands', () => {
      it('returns commands in the order they were typed, with their flags', async () => {
        const store = await fresh();
        const id = await store.startSession(sessionStart());
        await store.addCommand(id, { line: 'ls -la', at: 1200, flags: [] });
        await store.addCommand(id, { line: 'cat /etc/passwd', at: 3400, flags: ['history-recall'] });
        await store.addCommand(id, { line: 'sys', at: 3400, flags: ['tab-completion', 'cancelled'] });
        await store.addCommand(id, { line: 'echo 1\necho 2', at: 9000, flags: ['paste'] });
        await store.addCommand(id, { line: '<Esc>:wq<Enter>', at: 9500, flags: ['full-screen'] });
        assert.deepEqual((await store.getSession(id))?.commands, [
          { line: 'ls -la', at: 1200, flags: [] },
          { line: 'cat /etc/passwd', at: 3400, flags: ['history-recall'] },
          { line: 'sys', at: 3400, flags: ['tab-completion', 'cancelled'] },
          { line: 'echo 1\necho 2', at: 9000, flags: ['paste'] },
          { line: '<Esc>:wq<Enter>', at: 9500, flags: ['full-screen'] },
        ]);
      });

      it('orders by time even if a command is recorded late', async () => {
        const store = await fresh();
        const id = await store.startSession(sessionStart());
        await store.addCommand(id, { line: 'second', at: 2000, flags: [] });
        await store.addCommand(id, { line: 'first', at: 1000, flags: [] });
        assert.deepEqual(
          (await store.getSession(id))?.commands.map((c) => c.line),
          ['first', 'second'],
        );
      });

      it('keeps the commands of each session apart', async () => {
        const store = await fresh();
        const a = await store.startSession(sessionStart());
        const b = await store.startSession(sessionStart({ pod: 'other' }));
        await store.addCommand(a, { line: 'in a', at: 1, flags: [] });
        await store.addCommand(b, { line: 'in b', at: 1, flags: [] });
        assert.deepEqual(
          (await store.getSession(a))?.commands.map((c) => c.line),
          ['in a'],
        );
        assert.deepEqual(
          (await store.getSession(b))?.commands.map((c) => c.line),
          ['in b'],
        );
      });

      it('accepts commands after the end (a late flush) but not for an unknown session', async () => {
        const store = await fresh();
        const id = await store.startSession(sessionStart());
        await store.endSession(id, { exitCode: 0, endedAt: new Date(T0 + 10), bytesIn: 0, bytesOut: 0 });
        await store.addCommand(id, { line: 'exit', at: 9, flags: [] });
        assert.equal((await store.getSession(id))?.commands.length, 1);
        await assert.rejects(
          store.addCommand(UNKNOWN_ID, { line: 'x', at: 0, flags: [] }),
          isStoreError('not-found'),
        );
      });

      it('rejects unknown flags and negative times', async () => {
        const store = await fresh();
        const id = await store.startSession(sessionStart());
        await assert.rejects(store.addCommand(id, { line: 'x', at: -1, flags: [] }), isStoreError('invalid'));
        await assert.rejects(
          store.addCommand(id, { line: 'x', at: 0, flags: ['sudo' as never] }),
          isStoreError('invalid'),
        );
      });
    });

    describe('recordings', () => {
      it('keeps the bytes written, in order and exactly, across many appends', async () => {
        const store = await fresh();
        const id = await store.startSession(sessionStart());
        const sink = await store.createRecording(id);
        const written: Buffer[] = [];
        // More appends than one read batch, of varied sizes, with binary and a UTF-8 character cut in two.
        for (let i = 0; i < 150; i++) {
          const chunk = Buffer.from(`[${i}, "o", "line ${i} ${'x'.repeat(i * 7)}"]\n`);
          written.push(chunk);
          await sink.write(chunk);
        }
        const euro = Buffer.from('€');
        for (const part of [euro.subarray(0, 1), euro.subarray(1), Buffer.from([0, 255, 10])]) {
          written.push(part);
          await sink.write(part);
        }
        await sink.sync();
        await sink.close();
        assert.deepEqual(await readAll(await store.readRecording(id)), Buffer.concat(written));
        assert.ok((await store.getSession(id))?.recordingPath, 'the record names its recording');
      });

      it('serves a running recording from another store on the same storage (another replica)', async () => {
        const store = await fresh();
        const other = await options.openSameStorage(store);
        open.push(other);
        const id = await store.startSession(sessionStart());
        const sink = await store.createRecording(id);
        await sink.write(Buffer.from('{"version": 2}\n'));
        await sink.sync();
        await sink.write(Buffer.from('[0.5, "o", "so far"]\n'));
        // Written is enough (no sync, no close): the bytes are there for every reader.
        assert.equal(
          (await readAll(await other.readRecording(id)))?.toString(),
          '{"version": 2}\n[0.5, "o", "so far"]\n',
        );
        await sink.write(Buffer.from('[1, "o", "more"]\n'));
        await sink.close();
        assert.match((await readAll(await other.readRecording(id)))?.toString() ?? '', /"more"/);
        assert.equal(
          (await other.getSession(id))?.recordingPath,
          (await store.getSession(id))?.recordingPath,
        );
      });

      it('is capped and cut short by the asciicast writer exactly as in any other sink', async () => {
        const store = await fresh();
        const id = await store.startSession(sessionStart());
        const run = async (sink: RecordingSink) => {
          let t = 0;
          let limits = 0;
          const writer = await AsciicastWriter.start(sink, {
            width: 80,
            height: 24,
            startedAt: new Date(T0),
            now: () => (t += 10),
            flushIntervalMs: 3_600_000, // no timer: the same calls, so the same times, in both runs
            maxBytes: 2048,
            onLimit: () => limits++,
          });
          for (let i = 0; i < 100; i++) writer.recordOutput(`output line ${i}\r\n`);
          writer.recordInput('typed after the cap\r');
          await writer.close();
          return limits;
        };
        const reference = memorySink();
        assert.equal(await run(reference), 1);
        assert.equal(await run(await store.createRecording(id)), 1);
        const stored = await readAll(await store.readRecording(id));
        assert.deepEqual(stored, reference.bytes());
        assert.ok(stored !== undefined && stored.length <= 2048, `${stored?.length} bytes`);
        const cast = parseAsciicast(stored.toString('utf8'));
        assert.deepEqual(cast.events.at(-1)?.slice(1), ['m', limitMarkerText(2048)]);
      });

      it('is created once: a second recording for a session is refused', async () => {
        const store = await fresh();
        const id = await store.startSession(sessionStart());
        const sink = await store.createRecording(id);
        await sink.write(Buffer.from('first'));
        await sink.close();
        await assert.rejects(store.createRecording(id), isStoreError('invalid'));
        assert.equal((await readAll(await store.readRecording(id)))?.toString(), 'first');
      });

      it('is empty until written, absent for a session without one, refused for an unknown session', async () => {
        const store = await fresh();
        const id = await store.startSession(sessionStart());
        assert.equal(await store.readRecording(id), undefined);
        assert.equal((await store.getSession(id))?.recordingPath, null);
        const sink = await store.createRecording(id);
        assert.deepEqual(await readAll(await store.readRecording(id)), Buffer.alloc(0));
        await sink.close();
        await assert.rejects(store.createRecording(UNKNOWN_ID), isStoreError('not-found'));
        await assert.rejects(store.readRecording(UNKNOWN_ID), isStoreError('not-found'));
      });
    });

    describe('recording cut short', () => {
      it('marks the recording truncated at a time, keeps the first mark, and lists it', async () => {
        const store = await fresh();
        const id = await store.startSession(sessionStart());
        const other = await store.startSession(sessionStart({ pod: 'other' }));
        await store.markRecordingTruncated(id, new Date(T0 + 65_000));
        await store.markRecordingTruncated(id, new Date(T0 + 99_000));
        assert.deepEqual((await store.getSession(id))?.recordingTruncatedAt, new Date(T0 + 65_000));
        assert.equal((await store.getSession(other))?.recordingTruncatedAt, null);
        const listed = (await store.listSessions()).sessions.find((s) => s.id === id);
        assert.deepEqual(listed?.recordingTruncatedAt, new Date(T0 + 65_000));
      });

      it('is kept after the end, which does not clear it', async () => {
        const store = await fresh();
        const id = await store.startSession(sessionStart());
        await store.markRecordingTruncated(id, new Date(T0 + 5));
        await store.endSession(id, { exitCode: 0, endedAt: new Date(T0 + 10), bytesIn: 1, bytesOut: 2 });
        assert.deepEqual((await store.getSession(id))?.recordingTruncatedAt, new Date(T0 + 5));
      });

      it('rejects an unknown session and a time that is not a date', async () => {
        const store = await fresh();
        const id = await store.startSession(sessionStart());
        await assert.rejects(
          store.markRecordingTruncated(UNKNOWN_ID, new Date(T0)),
          isStoreError('not-found'),
        );
        await assert.rejects(store.markRecordingTruncated(id, new Date(Number.NaN)), isStoreError('invalid'));
        assert.equal((await store.getSession(id))?.recordingTruncatedAt, null);
      });
    });

    describe('listing', () => {
      async function seeded() {
        const store = await fresh();
        const at = (minutes: number) => new Date(T0 + minutes * 60_000);
        const ids = {
          alicePodA: await store.startSession(sessionStart({ startedAt: at(0), pod: 'a' })),
          bobPodA: await store.startSession(
            sessionStart({ startedAt: at(1), pod: 'a', identity: { user: 'bob', groups: [] } }),
          ),
          aliceDebug: await store.startSession(sessionStart({ startedAt: at(2), pod: 'b', kind: 'debug' })),
          aliceOtherNs: await store.startSession(
            sessionStart({ startedAt: at(3), namespace: 'billing', pod: 'a' }),
          ),
          aliceOtherCluster: await store.startSession(sessionStart({ startedAt: at(4), cluster: 'staging' })),
        };
        return { store, ids, at };
      }

      it('lists newest first', async () => {
        const { store, ids } = await seeded();
        const page = await store.listSessions();
        assert.deepEqual(
          page.sessions.map((s) => s.id),
          [ids.aliceOtherCluster, ids.aliceOtherNs, ids.aliceDebug, ids.bobPodA, ids.alicePodA],
        );
        assert.equal(page.nextCursor, null);
      });

      it('filters by user, cluster, namespace, pod and kind, combined with AND', async () => {
        const { store, ids } = await seeded();
        const list = async (filter: Parameters<AuditStore['listSessions']>[0]) =>
          (await store.listSessions(filter)).sessions.map((s) => s.id);
        assert.deepEqual(await list({ user: 'bob' }), [ids.bobPodA]);
        assert.deepEqual(await list({ cluster: 'staging' }), [ids.aliceOtherCluster]);
        assert.deepEqual(await list({ namespace: 'billing' }), [ids.aliceOtherNs]);
        assert.deepEqual(await list({ kind: 'debug' }), [ids.aliceDebug]);
        assert.deepEqual(await list({ pod: 'a' }), [ids.aliceOtherNs, ids.bobPodA, ids.alicePodA]);
        assert.deepEqual(await list({ pod: 'a', namespace: 'shop', user: 'alice@example.com' }), [
          ids.alicePodA,
        ]);
        assert.deepEqual(await list({ user: 'nobody' }), []);
      });

      it('filters by the single sign-on subject, which a username cannot stand in for', async () => {
        const { store, ids } = await seeded();
        const subject = sessionStart().identity.subject;
        const other = await store.startSession(
          sessionStart({
            identity: { user: 'alice@example.com', groups: [], subject: 'https://other-idp#1' },
          }),
        );
        const list = async (filter: Parameters<AuditStore['listSessions']>[0]) =>
          (await store.listSessions(filter)).sessions.map((s) => s.id);
        assert.deepEqual(await list({ subject }), [
          ids.aliceOtherCluster,
          ids.aliceOtherNs,
          ids.aliceDebug,
          ids.alicePodA,
        ]);
        assert.deepEqual(await list({ subject: 'https://other-idp#1' }), [other]);
        assert.deepEqual(await list({ subject, pod: 'a', namespace: 'shop' }), [ids.alicePodA]);
        assert.deepEqual(await list({ subject: 'alice@example.com' }), []);
        await assert.rejects(store.listSessions({ subject: '' }), isStoreError('invalid'));
      });

      it('filters by time: from is inclusive, to is exclusive', async () => {
        const { store, ids, at } = await seeded();
        const page = await store.listSessions({ from: at(1), to: at(3) });
        assert.deepEqual(
          page.sessions.map((s) => s.id),
          [ids.aliceDebug, ids.bobPodA],
        );
      });

      it('pages with a cursor without losing or repeating sessions, even with equal start times', async () => {
        const store = await fresh();
        const ids: string[] = [];
        for (let i = 0; i < 7; i++) {
          // Pairs of sessions share a start time, so the cursor must break ties.
          ids.push(
            await store.startSession(sessionStart({ startedAt: new Date(T0 + Math.floor(i / 2) * 1000) })),
          );
        }
        const seen: string[] = [];
        let before: string | undefined;
        let pages = 0;
        for (;;) {
          const page = await store.listSessions(before === undefined ? { limit: 3 } : { limit: 3, before });
          pages++;
          seen.push(...page.sessions.map((s) => s.id));
          if (page.nextCursor === null) break;
          before = page.nextCursor;
        }
        assert.equal(pages, 3);
        assert.deepEqual(seen, [...ids].reverse());
      });

      it('gives no cursor when the last page is exactly full', async () => {
        const store = await fresh();
        for (let i = 0; i < 2; i++) await store.startSession(sessionStart({ startedAt: new Date(T0 + i) }));
        const page = await store.listSessions({ limit: 2 });
        assert.equal(page.sessions.length, 2);
        assert.equal(page.nextCursor, null);
      });

      it('pages within a filter', async () => {
        const { store, ids } = await seeded();
        const first = await store.listSessions({ user: 'alice@example.com', limit: 2 });
        assert.deepEqual(
          first.sessions.map((s) => s.id),
          [ids.aliceOtherCluster, ids.aliceOtherNs],
        );
        assert.ok(first.nextCursor);
        const second = await store.listSessions({
          user: 'alice@example.com',
          limit: 2,
          before: first.nextCursor,
        });
        assert.deepEqual(
          second.sessions.map((s) => s.id),
          [ids.aliceDebug, ids.alicePodA],
        );
        assert.equal(second.nextCursor, null);
      });

      it('rejects a bad limit, kind or cursor with a clear error', async () => {
        const store = await fresh();
        await assert.rejects(store.listSessions({ limit: 0 }), isStoreError('invalid'));
        await assert.rejects(store.listSessions({ limit: MAX_PAGE_SIZE + 1 }), isStoreError('invalid'));
        await assert.rejects(store.listSessions({ kind: 'shell' as never }), isStoreError('invalid'));
        await assert.rejects(store.listSessions({ before: 'not a cursor' }), /cursor/);
      });

      it('includes the end and recording path in listed sessions', async () => {
        const store = await fresh();
        const id = await store.startSession(sessionStart());
        await store.endSession(id, { exitCode: 2, endedAt: new Date(T0 + 1000), bytesIn: 5, bytesOut: 6 });
        await (await store.createRecording(id)).close();
        const [listed] = (await store.listSessions()).sessions;
        assert.equal(listed?.exitCode, 2);
        assert.equal(listed?.recordingPath, (await store.getSession(id))?.recordingPath);
        assert.notEqual(listed?.recordingPath, null);
        assert.equal('commands' in (listed ?? {}), false);
      });
    });

    describe('getSession', () => {
      it('returns undefined for an unknown id, UUID or not', async () => {
        const store = await fresh();
        assert.equal(await store.getSession(UNKNOWN_ID), undefined);
        assert.equal(await store.getSession('not-a-uuid'), undefined);
      });
    });

    describe('retention', () => {
      it('deletes ended sessions started before the cutoff, with their commands and recordings', async () => {
        const store = await fresh();
        const day = 24 * 3600_000;
        const session = async (startedDaysAgo: number, ended: boolean) => {
          const startedAt = new Date(T0 - startedDaysAgo * day);
          const id = await store.startSession(sessionStart({ startedAt }));
          await store.addCommand(id, { line: 'ls', at: 5, flags: [] });
          const sink = await store.createRecording(id);
          await sink.write(Buffer.from('{"version": 2}\n'));
          await sink.close();
          if (ended) {
            await store.endSession(id, {
              exitCode: 0,
              endedAt: new Date(startedAt.getTime() + 1000),
              bytesIn: 1,
              bytesOut: 1,
            });
          }
          return id;
        };
        const old = await session(100, true);
        const older = await session(400, true);
        const oldButOpen = await session(100, false);
        const recent = await session(10, true);
        const cutoff = new Date(T0 - 90 * day);
        assert.equal(await store.deleteEndedSessionsStartedBefore(cutoff), 2);
        for (const id of [old, older]) {
          assert.equal(await store.getSession(id), undefined);
          await assert.rejects(store.readRecording(id), isStoreError('not-found'));
        }
        for (const id of [oldButOpen, recent]) {
          assert.equal((await store.getSession(id))?.commands.length, 1);
          assert.equal((await readAll(await store.readRecording(id)))?.toString(), '{"version": 2}\n');
        }
        assert.deepEqual(
          (await store.listSessions()).sessions.map((s) => s.id),
          [recent, oldButOpen],
        );
        assert.equal(await store.deleteEndedSessionsStartedBefore(cutoff), 0, 'nothing left to delete');
      });

      it('works through a backlog larger than one batch', async () => {
        const store = await fresh();
        for (let i = 0; i < 620; i++) {
          const id = await store.startSession(sessionStart({ startedAt: new Date(T0 + i) }));
          await store.endSession(id, { exitCode: 0, endedAt: new Date(T0 + i), bytesIn: 0, bytesOut: 0 });
        }
        const kept = await store.startSession(sessionStart({ startedAt: new Date(T0 + 620) }));
        assert.equal(await store.deleteEndedSessionsStartedBefore(new Date(T0 + 620)), 620);
        assert.deepEqual(
          (await store.listSessions()).sessions.map((s) => s.id),
          [kept],
        );
      });

      it('rejects a cutoff that is not a date', async () => {
        const store = await fresh();
        await assert.rejects(
          store.deleteEndedSessionsStartedBefore(new Date(Number.NaN)),
          isStoreError('invalid'),
        );
      });
    });

    describe('replicas', () => {
      // Sessions start "now" here: a replica without a heartbeat counts from its sessions' start.
      const now = () => new Date();
      const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

      it('lists the open sessions of a replica that stopped beating, and not of one that beats', async () => {
        const store = await fresh();
        await store.heartbeat('replica-a');
        await store.heartbeat('replica-b');
        const a1 = await store.startSession(sessionStart({ startedAt: now(), replica: 'replica-a' }));
        const a2 = await store.startSession(
          sessionStart({ startedAt: now(), replica: 'replica-a', kind: 'copy' }),
        );
        const aEnded = await store.startSession(sessionStart({ startedAt: now(), replica: 'replica-a' }));
        await store.endSession(aEnded, { exitCode: 0, endedAt: now(), bytesIn: 0, bytesOut: 0 });
        await store.startSession(sessionStart({ startedAt: now(), replica: 'replica-b' }));
        await store.startSession(sessionStart({ startedAt: now() })); // no replica: never listed
        await sleep(600);
        await store.heartbeat('replica-b');
        const silent = await store.sessionsOfSilentReplicas(400);
        assert.deepEqual(
          silent.map((s) => s.id),
          [a1, a2],
          'the open sessions of replica-a, oldest first',
        );
        assert.equal(silent[0]?.replica, 'replica-a');
        assert.deepEqual(await store.sessionsOfSilentReplicas(60_000), [], 'nobody is silent that long');
      });

      it('a heartbeat brings a silent replica back, and limit bounds the answer', async () => {
        const store = await fresh();
        await store.heartbeat('replica-a');
        for (let i = 0; i < 3; i++)
          await store.startSession(sessionStart({ startedAt: now(), replica: 'replica-a' }));
        await sleep(500);
        assert.equal((await store.sessionsOfSilentReplicas(300, 2)).length, 2);
        await store.heartbeat('replica-a');
        assert.deepEqual(await store.sessionsOfSilentReplicas(300), []);
      });

      it('counts a replica that never sent a heartbeat from its session start', async () => {
        const store = await fresh();
        const old = await store.startSession(
          sessionStart({ startedAt: new Date(Date.now() - 120_000), replica: 'never-beat' }),
        );
        await store.startSession(sessionStart({ startedAt: now(), replica: 'never-beat-either' }));
        assert.deepEqual(
          (await store.sessionsOfSilentReplicas(60_000)).map((s) => s.id),
          [old],
        );
      });

      it('shares heartbeats between two stores on the same storage (two replicas)', async () => {
        const store = await fresh();
        const other = await options.openSameStorage(store);
        open.push(other);
        await other.heartbeat('replica-b');
        const id = await store.startSession(sessionStart({ startedAt: now(), replica: 'replica-b' }));
        await sleep(400);
        assert.deepEqual(
          (await store.sessionsOfSilentReplicas(200)).map((s) => s.id),
          [id],
        );
        await other.heartbeat('replica-b');
        assert.deepEqual(await store.sessionsOfSilentReplicas(200), []);
      });

      it('refuses bad arguments', async () => {
        const store = await fresh();
        await assert.rejects(store.heartbeat('no spaces'), isStoreError('invalid'));
        await assert.rejects(store.sessionsOfSilentReplicas(-1), isStoreError('invalid'));
        await assert.rejects(store.sessionsOfSilentReplicas(1.5), isStoreError('invalid'));
        await assert.rejects(store.sessionsOfSilentReplicas(1000, 0), isStoreError('invalid'));
        await assert.rejects(
          store.sessionsOfSilentReplicas(1000, MAX_PAGE_SIZE + 1),
          isStoreError('invalid'),
        );
      });
    });

    describe('open sessions', () => {
      const at = (minutes: number) => new Date(T0 + minutes * 60_000);
      const ended = { exitCode: 0, endedAt: at(30), bytesIn: 0, bytesOut: 0 };

      it('lists the open sessions of the kinds in the cluster that started before the bound, oldest first', async () => {
        const store = await fresh();
        const node = await store.startSession(sessionStart({ kind: 'node-debug', startedAt: at(2) }));
        const copy = await store.startSession(sessionStart({ kind: 'copy', startedAt: at(1) }));
        const done = await store.startSession(sessionStart({ kind: 'copy', startedAt: at(1) }));
        await store.endSession(done, ended);
        await store.startSession(sessionStart({ kind: 'exec', startedAt: at(1) })); // another kind
        await store.startSession(sessionStart({ kind: 'copy', startedAt: at(1), cluster: 'other' }));
        await store.startSession(sessionStart({ kind: 'copy', startedAt: at(10) })); // too new
        const found = await store.openSessions({
          kinds: ['copy', 'node-debug'],
          cluster: 'prod-eu',
          startedBefore: at(10),
        });
        assert.deepEqual(
          found.map((s) => s.id),
          [copy, node],
        );
        assert.equal(found[0]?.kind, 'copy');
        assert.equal(found[0]?.endedAt, null);
        assert.deepEqual(
          (
            await store.openSessions({ kinds: ['node-debug'], cluster: 'prod-eu', startedBefore: at(10) })
          ).map((s) => s.id),
          [node],
        );
        assert.equal(
          (
            await store.openSessions({
              kinds: ['copy', 'node-debug'],
              cluster: 'prod-eu',
              startedBefore: at(11),
              limit: 2,
            })
          ).length,
          2,
        );
        await store.endSession(copy, ended);
        assert.deepEqual(
          (await store.openSessions({ kinds: ['copy'], cluster: 'prod-eu', startedBefore: at(5) })).map(
            (s) => s.id,
          ),
          [],
          'an ended session is no longer listed',
        );
      });

      it('refuses bad arguments', async () => {
        const store = await fresh();
        const q = { kinds: ['copy'] as const, cluster: 'prod-eu', startedBefore: at(1) };
        await assert.rejects(store.openSessions({ ...q, kinds: [] }), isStoreError('invalid'));
        await assert.rejects(
          store.openSessions({ ...q, kinds: ['nope' as SessionKind] }),
          isStoreError('invalid'),
        );
        await assert.rejects(store.openSessions({ ...q, cluster: '' }), isStoreError('invalid'));
        await assert.rejects(
          store.openSessions({ ...q, startedBefore: new Date(NaN) }),
          isStoreError('invalid'),
        );
        await assert.rejects(store.openSessions({ ...q, limit: 0 }), isStoreError('invalid'));
        await assert.rejects(store.openSessions({ ...q, limit: MAX_PAGE_SIZE + 1 }), isStoreError('invalid'));
      });
    });

    describe('failure to write', () => {
      it('answers check() when it works', async () => {
        const store = await fresh();
        await store.check();
      });

      it('refuses to start a session when its storage cannot be written', async () => {
        const store = await options.makeUnwritableStore();
        open.push(store);
        await assert.rejects(store.startSession(sessionStart()), isStoreError('unavailable'));
      });

      it('refuses every call after close', async () => {
        const store = await makeStore();
        await store.close();
        await assert.rejects(store.startSession(sessionStart()), isStoreError('unavailable'));
        await assert.rejects(store.listSessions(), isStoreError('unavailable'));
      });
    });
  });
}
