import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { V1Pod } from '@kubernetes/client-node';
import {
  describeSummary,
  MAX_NAMED_OMITTED,
  MergedSourceSet,
  sourcesOf,
  type LogSourceRef,
} from './merged-sources.js';

const ref = (pod: string, container = 'app', uid = `uid-${pod}`): LogSourceRef => ({
  key: `${uid}/${container}`,
  podUid: uid,
  source: { pod, container },
});

const pod = (name: string, containers: { name: string; started: boolean }[], init: string[] = []): V1Pod => ({
  metadata: { name, uid: `uid-${name}` },
  status: {
    initContainerStatuses: init.map((n) => ({
      name: n,
      containerID: `containerd://${n}`,
      image: 'i',
      imageID: 'i',
      ready: false,
      restartCount: 0,
    })),
    containerStatuses: containers.map((c) => ({
      name: c.name,
      ...(c.started ? { containerID: `containerd://${name}-${c.name}` } : {}),
      image: 'i',
      imageID: 'i',
      ready: c.started,
      restartCount: 0,
    })),
  },
});

describe('sources of a merged stream', () => {
  test('started containers only, init first, pods by name; keyed by pod UID', () => {
    const refs = sourcesOf([
      pod('web-b', [{ name: 'app', started: true }]),
      pod(
        'web-a',
        [
          { name: 'app', started: true },
          { name: 'sidecar', started: false },
        ],
        ['setup'],
      ),
    ]);
    assert.deepEqual(
      refs.map((r) => [r.key, `${r.source.pod}/${r.source.container}`]),
      [
        ['uid-web-a/setup', 'web-a/setup'],
        ['uid-web-a/app', 'web-a/app'],
        ['uid-web-b/app', 'web-b/app'],
      ],
    );
  });

  test('follows up to the limit, omits the rest, and knows what it has seen', () => {
    const set = new MergedSourceSet(2);
    assert.equal(set.offer(ref('a')), 'follow');
    assert.equal(set.offer(ref('b')), 'follow');
    assert.equal(set.offer(ref('c')), 'omit');
    assert.equal(set.offer(ref('c')), 'known');
    assert.equal(set.offer(ref('a')), 'known');
    assert.deepEqual(set.summary(), {
      shown: 2,
      total: 3,
      limit: 2,
      omitted: [{ pod: 'c', container: 'app' }],
      omittedMore: 0,
    });
    assert.equal(set.capped, true);
  });

  test('an omitted source takes the slot of one that ended; an ended one is not followed again', () => {
    const set = new MergedSourceSet(1);
    set.offer(ref('a'));
    set.offer(ref('b'));
    set.offer(ref('c'));
    assert.equal(set.finished(ref('a').key)?.source.pod, 'b');
    assert.equal(set.offer(ref('a')), 'known', 'a finished container is not restarted by the next event');
    assert.deepEqual(
      set.summary().omitted.map((o) => o.pod),
      ['c'],
    );
    assert.equal(set.finished(ref('b').key)?.source.pod, 'c');
    assert.equal(set.finished(ref('c').key), undefined);
    assert.equal(set.capped, false);
  });

  test('forgets the sources of deleted pods, so a long follow with churn holds only what exists', () => {
    const set = new MergedSourceSet(3);
    for (let generation = 0; generation < 1000; generation++) {
      const r = ref(`job-${generation}`);
      assert.equal(set.offer(r), 'follow');
      set.finished(r.key);
      set.podGone(r.podUid);
    }
    assert.equal(set.size, 0);
    // A followed source of a deleted pod keeps its slot until its stream ends, then is forgotten.
    set.offer(ref('x'));
    set.podGone('uid-x');
    assert.equal(set.followedCount, 1);
    set.finished(ref('x').key);
    assert.equal(set.size, 0);
  });

  test('a pod re-created under the same name (new UID) is a new source', () => {
    const set = new MergedSourceSet(5);
    set.offer(ref('db-0', 'app', 'uid-1'));
    set.finished(ref('db-0', 'app', 'uid-1').key);
    assert.equal(set.offer(ref('db-0', 'app', 'uid-2')), 'follow');
  });

  test('after a relist, omitted sources of pods that are gone stop counting', () => {
    const set = new MergedSourceSet(1);
    set.offer(ref('a'));
    set.offer(ref('b'));
    set.offer(ref('c'));
    assert.equal(set.retainPods(new Set(['uid-a', 'uid-c'])), true);
    assert.deepEqual(
      set.summary().omitted.map((o) => o.pod),
      ['c'],
    );
    assert.equal(set.retainPods(new Set(['uid-a', 'uid-c'])), false);
  });

  test('the summary names at most MAX_NAMED_OMITTED sources and counts the rest', () => {
    const set = new MergedSourceSet(1);
    for (let i = 0; i < MAX_NAMED_OMITTED + 21; i++) set.offer(ref(`p${i}`));
    const s = set.summary();
    assert.equal(s.omitted.length, MAX_NAMED_OMITTED);
    assert.equal(s.omittedMore, 20);
    assert.equal(s.total, MAX_NAMED_OMITTED + 21);
    assert.match(
      describeSummary(s),
      /^Showing 1 of 121 sources .* at most 1 at once\. Not shown: p1\/app, p2\/app, .* and 20 more\./,
    );
  });

  test('rejects a limit that is not a positive integer', () => {
    assert.throws(() => new MergedSourceSet(0), RangeError);
    assert.throws(() => new MergedSourceSet(1.5), RangeError);
  });
});
