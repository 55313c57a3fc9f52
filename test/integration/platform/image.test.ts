// The Podscope image built without Docker (scripts/image/build-image.sh) and the Dockerfile stay
// equivalent: same entrypoint, user, port, working directory, environment and top-level files; and the
// image holds production dependencies only.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { repoRoot } from '../../support/cluster.js';

interface ImageConfig {
  Entrypoint: string[];
  User: string;
  WorkingDir: string;
  Env: string[];
  ExposedPorts: Record<string, object>;
}

interface DockerfileStage {
  entrypoint: string[];
  user: string;
  workdir: string;
  env: string[];
  expose: string[];
  /** Destinations of COPY instructions. */
  copies: { dest: string; chown: string | null }[];
}

function run(cmd: string, args: string[], maxBuffer = 64 * 1024 * 1024): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { cwd: repoRoot, maxBuffer, timeout: 600_000 }, (err, stdout, stderr) =>
      err ? reject(new Error(`${cmd} ${args.join(' ')}: ${err.message}\n${stderr}`)) : resolve(stdout),
    );
  });
}

/** The final stage of the Dockerfile (after its last FROM). */
function finalStage(text: string): DockerfileStage {
  const lines = text
    .split('\n')
    .filter((l) => !l.trimStart().startsWith('#'))
    .join('\n')
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  const last = lines.map((l) => l.startsWith('FROM ')).lastIndexOf(true);
  const stage: DockerfileStage = { entrypoint: [], user: '', workdir: '', env: [], expose: [], copies: [] };
  for (const line of lines.slice(last + 1)) {
    const [instruction, ...rest] = line.split(/\s+/);
    const args = rest.join(' ');
    if (instruction === 'ENTRYPOINT') stage.entrypoint = JSON.parse(args) as string[];
    else if (instruction === 'USER') stage.user = args;
    else if (instruction === 'WORKDIR') stage.workdir = args;
    else if (instruction === 'EXPOSE') stage.expose.push(...rest);
    else if (instruction === 'ENV') stage.env.push(...rest);
    else if (instruction === 'COPY') {
      const chown = rest.find((a) => a.startsWith('--chown='))?.slice('--chown='.length) ?? null;
      stage.copies.push({ dest: rest[rest.length - 1]!, chown });
    } else throw new Error(`the equivalence test does not know Dockerfile instruction ${instruction}`);
  }
  return stage;
}

describe('the Podscope image', () => {
  const out = mkdtempSync(path.join(tmpdir(), 'podscope-image-'));
  let config: ImageConfig;
  let files: Map<string, { owner: string; mode: string }>;
  const dockerfile = finalStage(readFileSync(path.join(repoRoot, 'Dockerfile'), 'utf8'));

  before(async () => {
    await run('bash', ['scripts/image/build-image.sh', out]);
    const tar = path.join(out, 'podscope.tar');
    config = (JSON.parse(await run('tar', ['-xOf', tar, 'config.json'])) as { config: ImageConfig }).config;
    const listing = await run(
      'bash',
      ['-c', 'tar -xOf "$1" layer.tar | tar --numeric-owner -tvf -', '_', tar],
      256 * 1024 * 1024,
    );
    files = new Map();
    for (const line of listing.split('\n').filter(Boolean)) {
      const [mode, owner, , , , ...name] = line.split(/\s+/);
      files.set(name.join(' ').replace(/^\.\//, '/').replace(/\/$/, '').split(' -> ')[0]!, {
        owner: owner!,
        mode: mode!,
      });
    }
  });
  after(() => rmSync(out, { recursive: true, force: true }));

  test('same entrypoint, user, working directory, port and environment as the Dockerfile', () => {
    assert.deepEqual(config.Entrypoint, dockerfile.entrypoint);
    assert.equal(config.User, dockerfile.user);
    assert.equal(config.WorkingDir, dockerfile.workdir);
    assert.deepEqual(
      Object.keys(config.ExposedPorts),
      dockerfile.expose.map((p) => (p.includes('/') ? p : `${p}/tcp`)),
    );
    assert.deepEqual([...config.Env].sort(), [...dockerfile.env].sort());
    assert.equal(config.User, '65532:65532', 'not root');
  });

  test('every file the Dockerfile copies is in the image, with the same owner', () => {
    for (const { dest, chown } of dockerfile.copies) {
      const entry = files.get(dest.replace(/\/$/, ''));
      assert.ok(entry, `${dest} is missing from the image`);
      assert.equal(entry.owner.split('/')[0], chown?.split(':')[0] ?? '0', `owner of ${dest}`);
    }
    const appEntries = [...files.keys()].filter((f) => /^\/app\/[^/]+$/.test(f)).sort();
    const copiedToApp = dockerfile.copies
      .map((c) => c.dest)
      .filter((d) => d.startsWith('/app/'))
      .sort();
    assert.deepEqual(appEntries, copiedToApp, 'nothing else under /app');
  });

  test('the built server and web app, production dependencies only', () => {
    for (const f of ['/app/bin/podscope.js', '/app/dist/server/cli.js', '/app/dist/web/index.html']) {
      assert.ok(files.has(f), `${f} is missing`);
    }
    const pkg = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
      devDependencies: Record<string, string>;
    };
    for (const dep of Object.keys(pkg.dependencies)) {
      assert.ok(files.has(`/app/node_modules/${dep}/package.json`), `dependency ${dep} is missing`);
    }
    // A devDependency a production one also needs (jose, under openid-client) is not dev-only: npm's
    // lockfile marks what only development needs with `dev: true`.
    const lock = JSON.parse(readFileSync(path.join(repoRoot, 'package-lock.json'), 'utf8')) as {
      packages: Record<string, { dev?: boolean }>;
    };
    const devOnly = Object.keys(pkg.devDependencies).filter(
      (d) => lock.packages[`node_modules/${d}`]?.dev === true,
    );
    assert.ok(devOnly.includes('typescript') && devOnly.includes('oidc-provider'), 'dev-only packages found');
    for (const dev of devOnly) {
      assert.ok(!files.has(`/app/node_modules/${dev}`), `devDependency ${dev} is in the image`);
    }
    assert.ok(
      files.has('/app/node_modules/better-sqlite3/build/Release/better_sqlite3.node'),
      'the native addon',
    );
    assert.ok(!files.has('/app/node_modules/better-sqlite3/deps'), 'its C sources are pruned');
  });

  test('Node is the only program; /data is writable by the user and /tmp by everyone', () => {
    assert.match(files.get('/usr/local/bin/node')?.mode ?? '', /^-rwx/);
    assert.equal(files.has('/bin/sh'), false, 'no shell');
    assert.equal(files.get('/data')?.owner, '65532/65532');
    assert.equal(files.get('/tmp')?.mode, 'drwxrwxrwt');
  });
});
