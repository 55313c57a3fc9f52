import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkDatabaseUrl, redactDatabaseUrl } from './database-url.js';

describe('database URL', () => {
  it('accepts postgres:// and postgresql:// URLs with a host', () => {
    for (const url of [
      'postgresql://podscope:pw@127.0.0.1:5432/podscope',
      'postgres://podscope@db.example/podscope?sslmode=require',
      'postgresql://podscope@localhost/podscope?host=/var/run/postgresql',
    ]) {
      assert.equal(checkDatabaseUrl(url, '--database-url'), url);
    }
  });

  it('refuses anything else with a sentence that names the setting, never the password', () => {
    for (const [url, why] of [
      ['mysql://u:pw-9f3@h/d', /starts with mysql:\/\//],
      ['pw-9f3', /it is not a URL/],
      ['postgresql://u:pw-9f3@/d', /it is not a URL/],
      ['postgresql:///d?password=pw-9f3', /names no host/],
      ['', /must be a URL/],
    ] as const) {
      assert.throws(
        () => checkDatabaseUrl(url, 'PODSCOPE_DATABASE_URL'),
        (err: Error) => {
          assert.match(err.message, /^PODSCOPE_DATABASE_URL must be a URL such as postgresql:\/\//);
          assert.match(err.message, why);
          assert.ok(!err.message.includes('pw-9f3'), err.message);
          return true;
        },
      );
    }
  });

  it('redacts the password in the user part and in a password parameter', () => {
    assert.equal(
      redactDatabaseUrl('postgresql://podscope:s3cret@127.0.0.1:5432/podscope'),
      'postgresql://podscope:REDACTED@127.0.0.1:5432/podscope',
    );
    assert.equal(
      redactDatabaseUrl('postgresql://podscope@db/podscope?password=s3cret&sslmode=require'),
      'postgresql://podscope@db/podscope?password=REDACTED&sslmode=require',
    );
    assert.equal(redactDatabaseUrl('postgresql://db/podscope'), 'postgresql://db/podscope');
    assert.equal(redactDatabaseUrl('::s3cret'), 'the database URL (unparseable)');
  });
});
