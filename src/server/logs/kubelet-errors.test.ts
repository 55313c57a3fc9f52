import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { describeKubeletFollowError, kubeletFollowError } from './kubelet-errors.js';

describe('kubeletFollowError', () => {
  it('finds the errors cri-client writes into a followed log body (no timestamp)', () => {
    for (const e of [
      'failed to create fsnotify watcher: too many open files',
      'failed to watch directory "/var/log/pods/demo_web-1_0a/app": no space left on device',
      'failed to open log file "/var/log/pods/demo_web-1_0a/app/0.log": open …: no such file or directory',
      'failed to read log file "/var/log/pods/x/app/0.log": read: input/output error',
    ]) {
      assert.equal(kubeletFollowError(e), e);
      assert.equal(kubeletFollowError(`${e}\n`), e);
    }
  });

  it('never takes a line of the container for one: those carry the kubelet timestamp', () => {
    for (const ts of [
      '2026-11-30T10:00:00.123456789Z',
      '2026-11-30T10:00:00Z',
      '2026-11-30T10:00:00+01:00',
    ]) {
      assert.equal(kubeletFollowError(`${ts} failed to create fsnotify watcher: too many open files`), null);
    }
  });

  it('other text without a timestamp stays a line', () => {
    assert.equal(kubeletFollowError('unable to retrieve container logs for containerd://abc'), null);
    assert.equal(kubeletFollowError('hello failed to create fsnotify watcher'), null);
    assert.equal(kubeletFollowError(''), null);
  });
});

describe('describeKubeletFollowError', () => {
  it('says what to raise on the node when inotify ran out', () => {
    assert.match(
      describeKubeletFollowError('failed to create fsnotify watcher: too many open files'),
      /^the node's kubelet stopped following: failed to create fsnotify watcher: too many open files \(the node is out of inotify instances: raise the node's fs\.inotify\.max_user_instances\)$/,
    );
    assert.match(
      describeKubeletFollowError('failed to watch directory "/var/log/pods/a": no space left on device'),
      /max_user_watches/,
    );
    assert.equal(
      describeKubeletFollowError('failed to read log file "x": EIO'),
      `the node's kubelet stopped following: failed to read log file "x": EIO`,
    );
  });
});
