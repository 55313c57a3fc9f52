import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseLogOptions } from '../logs/log-options.js';
import { evidenceUrl, logsUrl, stepUrl } from './diagnosis-links.js';

const ref = { cluster: 'podscope-local', namespace: 'demo', pod: 'crashloop' };
const base = '/c/podscope-local/ns/demo/pods/crashloop';

test('the previous logs, searching for the quoted line, as the log view reads its options', () => {
  const url = logsUrl(ref, 'app', true, 'FATAL: could not connect');
  assert.equal(url, `${base}?tab=logs&container=app&previous=1&q=FATAL%3A+could+not+connect`);
  const options = parseLogOptions(new URL(url, 'http://x').searchParams);
  assert.equal(options.container, 'app');
  assert.equal(options.previous, true);
  assert.equal(options.q, 'FATAL: could not connect');
});

test('every next step', () => {
  assert.equal(stepUrl({ action: 'events', label: '' }, ref), `${base}?tab=events`);
  assert.equal(stepUrl({ action: 'containers', label: '', container: 'app' }, ref), `${base}#container-app`);
  assert.equal(stepUrl({ action: 'containers', label: '', container: null }, ref), base);
  assert.equal(
    stepUrl({ action: 'debug-copy', label: '', container: 'app' }, ref),
    `${base}?tab=debug#debug-copy-title`,
  );
  assert.equal(
    stepUrl({ action: 'debug-container', label: '', container: 'app' }, ref),
    `${base}?tab=debug#debug-container-title`,
  );
  assert.equal(
    stepUrl({ action: 'terminal', label: '', container: 'app' }, ref),
    `${base}?tab=terminal&container=app`,
  );
  assert.equal(
    stepUrl({ action: 'pod', label: '', pod: 'checkout-1' }, ref),
    '/c/podscope-local/ns/demo/pods/checkout-1',
  );
  assert.equal(
    stepUrl({ action: 'logs', label: '', container: 'app', previous: false, search: null }, ref),
    `${base}?tab=logs&container=app`,
  );
});

test('evidence links to where it is shown', () => {
  const field = {
    kind: 'field',
    label: '',
    path: 'p',
    value: 'v',
    time: null,
    object: null,
    container: 'app',
  } as const;
  assert.equal(evidenceUrl(field, ref), `${base}#container-app`);
  assert.equal(evidenceUrl({ ...field, object: 'Deployment/checkout' }, ref), null);
  assert.equal(
    evidenceUrl({ ...field, object: 'Pod/checkout-1' }, ref),
    '/c/podscope-local/ns/demo/pods/checkout-1',
  );
  const event = {
    kind: 'event',
    label: '',
    type: 'Warning',
    reason: 'BackOff',
    message: '',
    count: 1,
    firstSeen: null,
    lastSeen: null,
    object: 'Pod/crashloop',
    fieldPath: null,
  } as const;
  assert.equal(evidenceUrl(event, ref), `${base}?tab=events`);
  assert.equal(evidenceUrl({ ...event, object: 'PersistentVolumeClaim/uploads' }, ref), null);
  assert.equal(
    evidenceUrl(
      { kind: 'log', label: '', container: 'app', previous: true, text: ' FATAL x ', time: null },
      ref,
    ),
    `${base}?tab=logs&container=app&previous=1&q=FATAL+x`,
  );
});
