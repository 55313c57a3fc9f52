// Files in containers: list a directory, download a file or a directory (.tar.gz), upload a file.
//
//   GET …/pods/:pod/files?container=&path=[&via=]            → DirectoryListing
//   GET …/pods/:pod/files/download?container=&path=[&via=]   → the bytes (file) or a .tar.gz (directory);
//       headers X-Podscope-File-Size (files: the size for progress; Content-Length too when tar sent
//       it), X-Podscope-Audit-Session. One command, `tar cf - ./name`, says what the path is and
//       streams a file (a directory then gets `tar czf`); an image without tar gets stat, then cat.
//   PUT …/pods/:pod/files/upload?container=&path=[&via=][&overwrite=true]  body = the raw file
//       → UploadResult. Written to a temporary name and renamed only when complete, under the limit and
//       its sha256 in the container matches. Through tee while the container's sha256sum hashes the same
//       stream (an image with sh); else a one-file tar to `tar -x` (the image has tar and the request a
//       Content-Length); else tee alone (its echo is discarded), the file hashed again afterwards.
//
// `via` names a debug container that targets `container`: the files are then read through it at
// /proc/<pid>/root/…, for app images that have no tools at all.
import { randomBytes } from 'node:crypto';
import type { KubeClient } from '../kube/kube-client.js';
import type { Authorization } from '../policy/gate.js';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { DirectoryListing, UploadResult } from '../../shared/debug/debug-api.js';
import { downloadFileName, parentDir, validateContainerPath } from '../../shared/debug/container-paths.js';
import { clientFor, type ServerContext } from '../context.js';
import { getPod } from '../kube/pods.js';
import type { DebugConfig } from '../debug/debug-config.js';
import {
  authorize,
  endAudit,
  endAuditFailed,
  recordRefusal,
  startAudit,
  type AuditHandle,
} from '../policy/gate.js';
import { decisionLabel } from '../policy/action-policy.js';
import type { PolicyAction } from '../policy/action-policy.js';
import { resolveUserSwitch } from '../terminal/container-probes.js';
import { badRequest, notFound, PodscopeError, toErrorBody } from '../http/errors.js';
import { boolParam, containerParam, namespaceParam, podParam, readQuery } from '../http/params.js';
import {
  containerSha256,
  fileCommandError,
  listCommand,
  listDirectory,
  moveInto,
  removeQuietly,
  resolveFileTarget,
  statPath,
  type FileTarget,
} from './container-files.js';
import {
  canTeeSha256,
  canUntar,
  downloadCommand,
  entryArchiveCommand,
  missingTool,
  type Download,
  openDownload,
  uploadCommand,
  uploadTempPath,
  uploadTo,
  type UploadMethod,
} from './file-transfer.js';
import { TAR_MAX_SIZE } from './tar-entry.js';

type PodParams = { cluster: string; namespace: string; pod: string };

function pathParam(raw: string | undefined): string {
  if (raw === undefined) throw badRequest('Give the path with ?path=/absolute/path.');
  const v = validateContainerPath(raw);
  if (!v.ok) throw badRequest(v.error);
  return v.value;
}

/**
 * Resolves the request to where its commands run, after the policy decided: refused → 403 (recorded);
 * non-root → every command goes through the verified switch to the policy's user (or the request is
 * refused, never run as root).
 */
async function target(
  ctx: ServerContext,
  req: FastifyRequest<{ Params: PodParams }>,
  action: PolicyAction,
  extra: string[] = [],
) {
  const q = readQuery(req.query, ['container', 'path', 'via', ...extra]);
  const client = clientFor(ctx, req, req.params.cluster);
  const ns = namespaceParam(req.params.namespace);
  const pod = podParam(req.params.pod);
  const path = pathParam(q.path);
  if (q.container === undefined) throw badRequest('Choose a container with ?container=.');
  const container = containerParam(q.container);
  const via = q.via === undefined ? null : containerParam(q.via);
  // The pod is read (nothing runs) while the policy is decided: one round trip less before the
  // command. The policy's read of the namespace answers an unknown namespace with 404.
  const podRead = getPod(client, ns, pod);
  podRead.catch(() => undefined);
  // Decide before anything runs: finding the target through a debug container already execs there.
  const allowed = await authorize(
    ctx,
    req,
    client,
    { namespace: ns, pod, container },
    { action },
    { path, via },
  );
  const t = await resolveFileTarget(client, ns, pod, container, via ?? undefined, undefined, await podRead);
  return { client, t, path, q, allowed };
}

/**
 * Under non-root, switches `t` to the policy's user (verified by running `id -u` as that user). When no
 * switch works the request is refused — recorded as such — and nothing runs as root.
 */
async function applyUser(
  ctx: ServerContext,
  req: FastifyRequest,
  client: KubeClient,
  t: FileTarget,
  path: string,
  allowed: Authorization,
  kind: 'file-list' | 'file-download' | 'file-upload',
): Promise<void> {
  if (allowed.decision.verdict !== 'allow-as-user') return;
  try {
    const sw = await resolveUserSwitch(
      client,
      { namespace: t.namespace, pod: t.pod, container: t.execContainer },
      allowed.decision.user,
    );
    const inner = t.wrap;
    t.wrap = (argv) => sw.wrap(inner(argv));
    t.runAs = { uid: sw.uid, tool: sw.tool };
  } catch (err) {
    const { error } = toErrorBody(err);
    await recordRefusal(ctx, req, client, {
      kind,
      command: [],
      policy: decisionLabel(allowed.decision),
      ...auditWhere(t, path),
      reason: error,
    });
    throw err;
  }
}

/**
 * Records a further command of an audited file action (the fallback's cat, a directory's archive)
 * before it runs; when it cannot be recorded, the action ends there (503), as at its start.
 */
async function addAuditCommand(ctx: ServerContext, audit: AuditHandle, argv: string[]): Promise<void> {
  try {
    await ctx.audit.addCommand(audit.id, {
      line: argv.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' '),
      at: Date.now() - audit.startedAt,
      flags: [],
    });
  } catch (err) {
    const refused = new PodscopeError(
      503,
      `Podscope could not write the audit record, so it did not run \`${argv[0]}\`: ${(err as Error).message}`,
      { cause: err },
    );
    await endAuditFailed(ctx, audit, refused);
    throw refused;
  }
}

const auditWhere = (t: FileTarget, path: string) => ({
  namespace: t.namespace,
  pod: t.pod,
  container: t.container,
  details: { path, via: t.via, execContainer: t.execContainer },
});

export function fileRoutes(app: FastifyInstance, ctx: ServerContext, config: DebugConfig): void {
  const base = '/api/clusters/:cluster/namespaces/:namespace/pods/:pod/files';
  // Listing and downloading run a command in the container: cross-site requests are refused (access/).
  const execs = { config: { runsCommand: true } };

  app.get<{ Params: PodParams }>(base, execs, async (req) => {
    const { client, t, path, allowed } = await target(ctx, req, 'file-list');
    await applyUser(ctx, req, client, t, path, allowed, 'file-list');
    const audit = await startAudit(ctx, req, client, allowed, {
      kind: 'file-list',
      command: listCommand(t, path),
      ...auditWhere(t, path),
    });
    let entries;
    try {
      entries = await listDirectory(client, t, path);
    } catch (err) {
      await endAuditFailed(ctx, audit, err);
      throw err;
    }
    await endAudit(ctx, audit, { exitCode: 0, outcome: { entries: entries.length, runAs: t.runAs } });
    return { path, container: t.container, via: t.via, entries } satisfies DirectoryListing;
  });

  app.get<{ Params: PodParams }>(`${base}/download`, execs, async (req, reply) => {
    const { client, t, path, allowed } = await target(ctx, req, 'file-download');
    await applyUser(ctx, req, client, t, path, allowed, 'file-download');
    const where = auditWhere(t, path);
    const send = async (
      dl: Download,
      audit: AuditHandle,
      entry: { directory: boolean; size: number | null; tool: string },
    ) => {
      await dl.started;
      const early = await Promise.race([dl.done, Promise.resolve(null)]);
      if (early?.error !== undefined && early.bytes === 0) {
        // Failed before sending anything (e.g. the policy's user may not read it): a status, not a body.
        const err = fileCommandError(t, path, entry.tool, {
          stderr: early.stderr || early.error,
          status: early.status ?? { kind: 'exit', code: early.exitCode ?? 1 },
        });
        await endAuditFailed(ctx, audit, err, { exitCode: early.exitCode });
        throw err;
      }
      req.raw.on('close', () => {
        if (!reply.raw.writableFinished) dl.cancel('the browser went away before the download finished');
      });
      void dl.done.then((r) =>
        endAudit(ctx, audit, {
          exitCode: r.exitCode,
          bytesOut: r.bytes,
          error: r.error,
          outcome: {
            bytes: r.bytes,
            sha256: r.sha256,
            format: entry.directory ? 'tar.gz' : 'file',
            type: entry.directory ? 'directory' : 'file',
            size: entry.size,
          },
        }),
      );
      reply.header('Content-Type', entry.directory ? 'application/gzip' : 'application/octet-stream');
      reply.header(
        'Content-Disposition',
        `attachment; filename="${downloadFileName(path, entry.directory)}"`,
      );
      reply.header('X-Content-Type-Options', 'nosniff');
      reply.header('X-Podscope-Audit-Session', audit.id);
      if (entry.size !== null) reply.header('X-Podscope-File-Size', String(entry.size));
      // A tar entry holds exactly its header's size (tar pads or refuses a file that changed as it was
      // read): the length is known, so the browser shows a real progress bar and a body cut short is a
      // failed download by HTTP's own rules; and no chunk framing. stat's size (then cat) is only a hint.
      if (entry.tool === 'tar' && entry.size !== null) reply.header('Content-Length', String(entry.size));
      return reply.send(dl.body);
    };
    const open = async (audit: AuditHandle, command: string[], opts: { tar: boolean; entry?: boolean }) => {
      try {
        return await openDownload(client, t, command, { maxBytes: config.maxFileBytes, ...opts });
      } catch (err) {
        await endAuditFailed(ctx, audit, err);
        throw err;
      }
    };
    const refuse = async (audit: AuditHandle, err: PodscopeError, dl?: Download) => {
      dl?.cancel(err.message);
      await endAuditFailed(ctx, audit, err);
      return err;
    };
    const tooLarge = (size: number) =>
      new PodscopeError(
        413,
        `${path} is ${size} bytes, more than the download limit of ${config.maxFileBytes} bytes.`,
      );
    const notFileOrDirectory = (type: string) =>
      type === 'symlink'
        ? badRequest(`${path} is a symbolic link; download the path it points to.`)
        : badRequest(`${path} is not a regular file or a directory.`);
    const directoryDownload = async (audit: AuditHandle | null) => {
      const command = downloadCommand(t, path, true);
      const handle =
        audit ??
        (await startAudit(ctx, req, client, allowed, {
          kind: 'file-download',
          command,
          ...where,
          details: { ...where.details, runAs: t.runAs },
        }));
      if (audit) await addAuditCommand(ctx, audit, command);
      return send(await open(handle, command, { tar: true }), handle, {
        directory: true,
        size: null,
        tool: 'tar',
      });
    };
    if (path === '/') return directoryDownload(null);

    // One command says what the path is and, for a file, streams it: a one-entry tar archive.
    const command = entryArchiveCommand(t, path);
    const audit = await startAudit(ctx, req, client, allowed, {
      kind: 'file-download',
      command,
      ...where,
      details: { ...where.details, runAs: t.runAs },
    });
    const dl = await open(audit, command, { tar: false, entry: true });
    const header = await dl.header;
    if (header === null) {
      const r = await dl.done;
      if (!missingTool(r.status)) {
        throw await refuse(
          audit,
          fileCommandError(t, path, 'tar', {
            stderr: r.stderr || r.error || '',
            status: r.status ?? { kind: 'failure', message: r.error ?? 'no archive' },
          }),
        );
      }
      // An image without tar: stat, then cat (two commands).
      const entry = await statPath(client, t, path).catch(async (err: unknown) => {
        await endAuditFailed(ctx, audit, err);
        throw err;
      });
      if (!entry)
        throw await refuse(audit, notFound(`${path} does not exist in container "${t.container}".`));
      if (entry.type === 'directory') return directoryDownload(audit);
      if (entry.type !== 'file') throw await refuse(audit, notFileOrDirectory(entry.type));
      if (entry.size > config.maxFileBytes) throw await refuse(audit, tooLarge(entry.size));
      const cat = downloadCommand(t, path, false);
      await addAuditCommand(ctx, audit, cat);
      return send(await open(audit, cat, { tar: false }), audit, {
        directory: false,
        size: entry.size,
        tool: 'cat',
      });
    }
    if (header.type === 'directory') {
      dl.cancel('a directory: sent as a .tar.gz instead');
      return directoryDownload(audit);
    }
    if (header.type !== 'file') throw await refuse(audit, notFileOrDirectory(header.type), dl);
    if (header.size > config.maxFileBytes) throw await refuse(audit, tooLarge(header.size), dl);
    return send(dl, audit, { directory: false, size: header.size, tool: 'tar' });
  });

  // The upload body is streamed to the container as it arrives: no content-type parser reads it here.
  void app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', (_req, _payload, done) => done(null, undefined));
    const raw = { config: { rawBody: true } };
    scope.put<{ Params: PodParams }>(`${base}/upload`, raw, async (req, reply) =>
      upload(ctx, config, req, reply),
    );
  });
}

async function upload(
  ctx: ServerContext,
  config: DebugConfig,
  req: FastifyRequest<{ Params: PodParams }>,
  reply: FastifyReply,
): Promise<UploadResult> {
  const declared = req.headers['content-length'];
  if (declared !== undefined && Number(declared) > config.maxFileBytes) {
    reply.header('Connection', 'close');
    throw new PodscopeError(
      413,
      `The file is ${declared} bytes, more than the upload limit of ${config.maxFileBytes} bytes. Nothing was written.`,
    );
  }
  const { client, t, path, q, allowed } = await target(ctx, req, 'file-upload', ['overwrite']);
  await applyUser(ctx, req, client, t, path, allowed, 'file-upload');
  const overwrite = boolParam(q.overwrite, 'overwrite', false);
  if (path === '/') throw badRequest('Upload to a file path, not to /.');
  const dir = parentDir(path);
  const size = declared === undefined ? null : Number(declared);
  // One round of checks, at once: the directory, the file, and how the upload can be received.
  const [parent, file, teeSha, untar] = await Promise.all([
    statPath(client, t, dir),
    // Its failure (a part of the path is no directory…) matters only once the directory exists.
    statPath(client, t, path).then(
      (entry) => ({ entry }),
      (err: unknown) => ({ err }),
    ),
    canTeeSha256(client, t).catch(() => false),
    size !== null && size <= TAR_MAX_SIZE ? canUntar(client, t).catch(() => false) : false,
  ]);
  if (!parent || parent.type !== 'directory') {
    throw new PodscopeError(404, `The directory ${dir} does not exist in container "${t.container}".`);
  }
  if ('err' in file) throw file.err;
  const existing = file.entry;
  if (existing?.type === 'directory') throw new PodscopeError(409, `${path} is a directory.`);
  if (existing && !overwrite) {
    throw new PodscopeError(409, `${path} already exists; upload with overwrite=true to replace it.`);
  }
  const tmp = uploadTempPath(path, randomBytes(4).toString('hex'));
  // Best: tee with the container hashing the stream. Without sh or sha256sum, tar (when the length is
  // declared); else tee, which echoes the data back.
  const method: UploadMethod = teeSha
    ? { kind: 'tee-sha256' }
    : untar && size !== null
      ? { kind: 'tar', size }
      : { kind: 'tee' };
  const audit = await startAudit(ctx, req, client, allowed, {
    kind: 'file-upload',
    command: uploadCommand(t, tmp, method),
    ...auditWhere(t, path),
    details: {
      ...auditWhere(t, path).details,
      declaredSize: size,
      overwrite,
      runAs: t.runAs,
      method: method.kind,
    },
  });
  let outcome;
  try {
    outcome = await uploadTo(client, t, tmp, req.raw, config.maxFileBytes, method);
  } catch (err) {
    await removeQuietly(client, t, tmp);
    await endAuditFailed(ctx, audit, err);
    throw err;
  }
  const fail = async (err: PodscopeError) => {
    await removeQuietly(client, t, tmp);
    await endAudit(ctx, audit, {
      exitCode: outcome.exitCode,
      bytesIn: outcome.bytes,
      error: err.message,
    });
    reply.header('Connection', 'close');
    return err;
  };
  if (outcome.tooLarge) {
    throw await fail(
      new PodscopeError(
        413,
        `The file is more than the upload limit of ${config.maxFileBytes} bytes. Nothing was written.`,
      ),
    );
  }
  // The browser's body broke off (tar then fails on the cut archive): that is the reason to give.
  if (outcome.cutShort) {
    const of = size === null ? '' : ` of ${size}`;
    throw await fail(
      new PodscopeError(400, `The upload ended after ${outcome.bytes}${of} bytes. Nothing was written.`),
    );
  }
  if (outcome.error !== undefined) {
    const status = outcome.status ?? { kind: 'failure' as const, message: outcome.error };
    const err = fileCommandError(t, path, method.kind === 'tar' ? 'tar' : 'tee', {
      stderr: outcome.stderr,
      status,
    });
    throw await fail(new PodscopeError(err.status, `${err.message} Nothing was written.`));
  }
  if (size !== null && size !== outcome.bytes) {
    throw await fail(
      new PodscopeError(
        400,
        `The upload ended after ${outcome.bytes} of ${size} bytes. Nothing was written.`,
      ),
    );
  }
  // tee-sha256: the digest of what the container received, computed as it wrote it (tee exited 0: all
  // of it is in the file); otherwise the file is read again, where the image has sha256sum.
  let landed: string | null;
  if (method.kind === 'tee-sha256') {
    landed = outcome.containerSha256;
    if (landed === null) {
      throw await fail(
        new PodscopeError(
          502,
          `The container did not report the sha256 of what it received (${JSON.stringify(outcome.stderr.trim().slice(-200))}). Nothing was written.`,
        ),
      );
    }
  } else {
    landed = await containerSha256(client, t, tmp).catch(() => null);
  }
  if (landed !== null && landed !== outcome.sha256) {
    throw await fail(
      new PodscopeError(
        502,
        `The file in the container differs from what was sent (sha256). Nothing was written.`,
      ),
    );
  }
  try {
    await moveInto(client, t, tmp, path);
  } catch (err) {
    throw await fail(err instanceof PodscopeError ? err : new PodscopeError(502, (err as Error).message));
  }
  await endAudit(ctx, audit, {
    exitCode: 0,
    bytesIn: outcome.bytes,
    outcome: {
      bytes: outcome.bytes,
      sha256: outcome.sha256,
      verifiedInContainer: landed,
      method: method.kind,
    },
  });
  return { path, size: outcome.bytes, sha256: outcome.sha256, auditSession: audit.id };
}
