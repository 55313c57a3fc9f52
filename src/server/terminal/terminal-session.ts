/**
 * One interactive terminal: the browser's WebSocket on one side, a TTY exec in the container on the
 * other. The session owns both sockets, the asciicast recording, the command-line recorder, the audit
 * record and its keep-alive timer; `close()` tears all of it down once, however often it is called.
 *
 * Order of a start, each step refusing the session if it fails: audit record → recording (header
 * synced, in the audit store) → exec stream. So no byte reaches the container before the record and
 * recording exist.
 */
import { currentOwner } from './recovery.js';
import type { WebSocket, RawData } from 'ws';
import type { ExecStatus } from '../../shared/exec/channel.js';
import { CommandLineRecorder, type CapturedCommand } from '../../shared/exec/command-line.js';
import type { AuditStore, Identity, ReplicaId, SessionId } from '../audit/audit-store.js';
import { endSessionSurvivingOutage } from '../audit/end-session.js';
import { openExec, type ExecConnection } from '../exec/exec-connection.js';
import { PodscopeError, toErrorBody } from '../http/errors.js';
import type { KubeClient } from '../kube/kube-client.js';
import { closeSocket } from '../ws/close-reason.js';
import { SHUTDOWN_AUDIT_REASON, SHUTDOWN_CLOSE_CODE, SHUTDOWN_CLOSE_REASON } from '../lifecycle/drain.js';
import {
  signedOutAuditReason,
  signedOutCloseReason,
  SIGNED_OUT_CLOSE_CODE,
  type SessionEndCause,
} from '../auth/session-streams.js';
import { endTaggedProcesses } from './container-probes.js';
import { policyLabel, type ResolvedExecPolicy } from '../policy/exec-policy.js';
import {
  exitMessage,
  parseClientMessage,
  recordingStoppedMessage,
  type TerminalServerMessage,
} from './protocol.js';
import { AsciicastWriter, utf8Decoder } from './recording/asciicast.js';

export interface TerminalSessionDeps {
  audit: AuditStore;
  /** Size cap of the recording; at the cap it stops, the browser is told and the record marked. */
  recordingMaxBytes: number;
  /** The replica running the session (ends it as "replica lost" if this process dies). */
  replica: ReplicaId;
  log: { warn(obj: unknown, msg?: string): void; error(obj: unknown, msg?: string): void };
}

export interface TerminalStart {
  client: KubeClient;
  cluster: string;
  namespace: string;
  pod: string;
  container: string;
  /** What runs in the container, user switch included. */
  argv: string[];
  /** The shell chosen automatically, or null when the user gave the command. */
  shell: string | null;
  /** The command the user asked for (null: a shell). */
  requested: string[] | null;
  policy: ResolvedExecPolicy;
  /** The uid/tool used under non-root. */
  switchedTo: { uid: number; tool: string } | null;
  identity: Identity;
  clientAddress: string | null;
  cols: number;
  rows: number;
  /** `PODSCOPE_SESSION=<token>` set on the process through `env`, or null when the image has no env. */
  cleanupTag: string | null;
}

/** Output buffered towards the browser above which the container is no longer read. */
const OUTPUT_HIGH_WATER = 1024 * 1024;
const OUTPUT_LOW_WATER = 256 * 1024;
/** Output passed on at once when this much has arrived in one turn of the event loop. */
const OUTPUT_BATCH_BYTES = 64 * 1024;
/** Recording not yet written (a slow audit store) above which the container is no longer read. */
const RECORDING_HIGH_WATER = 8 * 1024 * 1024;
const RECORDING_LOW_WATER = 1024 * 1024;
/** Input queued towards the container above which the browser is no longer read. */
const INPUT_HIGH_WATER = 256 * 1024;
const INPUT_LOW_WATER = 64 * 1024;
const KEEPALIVE_MS = 30_000;

export class TerminalSession {
  private id: SessionId | undefined;
  private startedAt = new Date();
  private exec: ExecConnection | undefined;
  private start_: TerminalStart | undefined;
  private recording: AsciicastWriter | undefined;
  private readonly commands = new CommandLineRecorder();
  /** The output as text, decoded once for the recording and the command-line recorder. */
  private readonly outputText = utf8Decoder();
  /** Audit writes of command lines, in order. */
  private commandWrites: Promise<void> = Promise.resolve();
  private inputChain: Promise<void> = Promise.resolve();
  private inputQueued = 0;
  private browserPaused = false;
  private outputPending = 0;
  private execPaused = false;
  /** Output received in this turn of the event loop, not yet recorded nor sent (see output()). */
  private batch: Buffer[] = [];
  private batchBytes = 0;
  private batchTimer: ReturnType<typeof setImmediate> | undefined;
  /** The exec is paused until the recording's flush under way has written its backlog. */
  private awaitingRecording = false;
  private bytesIn = 0;
  private bytesOut = 0;
  private exitStatus: ExecStatus | undefined;
  private endError: string | undefined;
  /** Set when Kubernetes refused the exec itself (RBAC 403): the record's outcome is `refused`. */
  private refusedBy: string | undefined;
  private keepalive: ReturnType<typeof setInterval> | undefined;
  private alive = true;
  private closing: Promise<void> | undefined;
  /** How the browser's socket is closed at the end. */
  private browserClose = { code: 1000, reason: 'terminal closed' };

  constructor(
    private readonly browser: WebSocket,
    private readonly deps: TerminalSessionDeps,
  ) {}

  get sessionId(): SessionId | undefined {
    return this.id;
  }

  /** Opens everything; throws a PodscopeError (after cleaning up) if the terminal cannot be opened. */
  async start(s: TerminalStart): Promise<void> {
    this.startedAt = new Date();
    this.start_ = s;
    try {
      this.id = await this.deps.audit.startSession({
        identity: s.identity,
        startedAt: this.startedAt,
        cluster: s.cluster,
        namespace: s.namespace,
        pod: s.pod,
        container: s.container,
        kind: 'exec',
        command: s.argv,
        policy: policyLabel(s.policy),
        clientAddress: s.clientAddress,
        replica: this.deps.replica,
        details: {
          tty: true,
          requestedCommand: s.requested,
          shell: s.shell,
          runAs: s.switchedTo,
          cols: s.cols,
          rows: s.rows,
          cleanupTag: s.cleanupTag,
          owner: currentOwner(),
          recordingMaxBytes: this.deps.recordingMaxBytes,
        },
      });
    } catch (err) {
      throw new PodscopeError(
        503,
        `The terminal was not opened because its audit record could not be written: ${(err as Error).message}`,
        { cause: err },
      );
    }
    const id = this.id;
    try {
      this.recording = await AsciicastWriter.start(await this.deps.audit.createRecording(id), {
        width: s.cols,
        height: s.rows,
        startedAt: this.startedAt,
        shell: s.shell ?? undefined,
        title: `${s.identity.user} → ${s.cluster}/${s.namespace}/${s.pod}/${s.container}`,
        onError: (err) => this.fatal(503, `The session recording can no longer be written (${err.message}).`),
        maxBytes: this.deps.recordingMaxBytes,
        onLimit: () => this.recordingStopped(),
      });
    } catch (err) {
      await this.abandon(`could not create the recording: ${(err as Error).message}`);
      throw new PodscopeError(
        503,
        `The terminal was not opened because its recording could not be written: ${(err as Error).message}`,
        { cause: err },
      );
    }
    try {
      this.exec = await openExec(
        s.client,
        {
          namespace: s.namespace,
          pod: s.pod,
          container: s.container,
          command: s.argv,
          stdin: true,
          tty: true,
        },
        { stdout: (d) => this.output(d), stderr: (d) => this.output(d), exit: (st) => this.exited(st) },
      );
    } catch (err) {
      const body = toErrorBody(err);
      if (body.status === 403) this.refusedBy = body.error;
      await this.abandon(`could not open the exec stream: ${body.error}`);
      throw err;
    }
    await this.exec.resize(s.cols, s.rows);
    this.browser.on('message', (data, isBinary) => this.fromBrowser(data, isBinary));
    this.browser.on('close', () => {
      // We close the socket ourselves after an exit; only a close before it means the browser left.
      if (this.exitStatus === undefined)
        this.endError ??= 'The browser left before the process ended; it was ended.';
      void this.close();
    });
    this.browser.on('error', (err) => {
      const tooBig = (err as { code?: string }).code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH';
      this.endError = tooBig
        ? 'The browser sent a frame larger than 64 KiB (closed with code 1009).'
        : `Browser connection error: ${err.message}`;
      void this.close();
    });
    this.browser.on('pong', () => (this.alive = true));
    this.keepalive = setInterval(() => {
      if (!this.alive) return this.browser.terminate();
      this.alive = false;
      this.browser.ping();
    }, KEEPALIVE_MS);
    this.keepalive.unref();
    await this.send({
      type: 'ready',
      sessionId: id,
      policy: s.policy.policy,
      user: s.switchedTo?.uid ?? null,
      shell: s.shell,
      command: s.argv,
      protocol: this.exec.protocol,
    });
    this.browser.resume();
  }

  /**
   * The server is stopping (SIGTERM, an upgrade): the browser is told why (a terminal cannot move to
   * another replica with its process, so it is not reopened on its own), the process is ended, the
   * recording flushed and the record closed as "server shutdown". Resolves when all of that is done.
   */
  shutdown(): Promise<void> {
    if (this.closing === undefined) {
      this.endError ??= `${SHUTDOWN_AUDIT_REASON}: Podscope stopped (a restart or an upgrade) and ended the session.`;
      this.browserClose = { code: SHUTDOWN_CLOSE_CODE, reason: SHUTDOWN_CLOSE_REASON };
      void this.send({
        type: 'error',
        status: 503,
        message:
          'Podscope is restarting (server shutdown): this terminal was closed and its process ended. Open a new terminal to go on.',
        fatal: true,
      });
    }
    return this.close();
  }

  /**
   * The person's login session ended (signed out here or elsewhere, timed out): the browser is told why
   * and the socket closes with 4401; the process is ended, the recording flushed and the record closed
   * saying the session ended.
   */
  sessionEnded(cause: SessionEndCause): Promise<void> {
    if (this.closing === undefined) {
      this.endError ??= signedOutAuditReason(cause);
      const reason = signedOutCloseReason(cause);
      this.browserClose = { code: SIGNED_OUT_CLOSE_CODE, reason };
      this.browser.resume(); // the closing handshake needs to read the browser's close frame
      void this.send({
        type: 'error',
        status: 401,
        message: `${reason} This terminal was closed and its process ended.`,
        fatal: true,
      });
    }
    return this.close();
  }

  /** Ends the session: the exec socket (so the kubelet kills the process), the browser, the record. */
  close(): Promise<void> {
    this.closing ??= this.finish();
    return this.closing;
  }

  private async finish(): Promise<void> {
    clearInterval(this.keepalive);
    const opened = this.exec !== undefined;
    this.exec?.close();
    this.passOutputOn();
    closeSocket(this.browser, this.browserClose.code, this.browserClose.reason);
    const s = this.start_;
    if (opened && s !== undefined) {
      // Closing the exec stream does not end the process (nor what it started in the background).
      const failure =
        s.cleanupTag === null
          ? 'the image has no `env`, so processes left running could not be found and ended'
          : await endTaggedProcesses(s.client, s, s.cleanupTag);
      if (failure !== null) {
        this.deps.log.warn({ session: this.id, failure }, 'terminal cleanup failed');
        this.endError = `${this.endError ? `${this.endError} ` : ''}Processes left running were not ended: ${failure}.`;
      }
    }
    for (const c of this.commands.end(this.elapsed())) this.saveCommand(c);
    await this.commandWrites;
    // A character the output stopped in the middle of is recorded as U+FFFD.
    this.recording?.recordOutput(this.outputText.decode());
    await this.recording
      ?.close()
      .catch((err: unknown) => this.deps.log.error({ err }, 'recording close failed'));
    if (this.id === undefined) return;
    const status = this.exitStatus;
    const exitCode = status === undefined ? null : exitMessage(status).code;
    let error = this.endError;
    if (error === undefined && status?.kind === 'failure') error = status.message;
    if (error === undefined && status === undefined)
      error = 'The session was closed before the process ended; it was ended.';
    // Retried in the background while the store is down, so an outage does not leave the record open.
    await endSessionSurvivingOutage(
      this.deps.audit,
      this.id,
      {
        exitCode,
        endedAt: new Date(),
        bytesIn: this.bytesIn,
        bytesOut: this.bytesOut,
        ...(error === undefined ? {} : { error }),
        ...(this.refusedBy === undefined ? {} : { outcome: { result: 'refused', reason: this.refusedBy } }),
      },
      this.deps.log,
    );
  }

  /** The start failed after the audit record was written: close it with the reason. */
  private async abandon(reason: string): Promise<void> {
    this.endError = `The terminal did not open: ${reason}`;
    await this.close();
  }

  private elapsed(): number {
    return Date.now() - this.startedAt.getTime();
  }

  /**
   * Output of the container. The kubelet sends it in frames of at most 4 KiB (one read of the TTY):
   * what arrives in one turn of the event loop is passed on together, one recording event and one
   * browser frame (a syscall each way, and one `term.write` in the browser) instead of one per frame.
   */
  private output(data: Buffer): void {
    if (this.closing) return;
    this.bytesOut += data.length;
    this.outputPending += data.length;
    this.batch.push(data);
    this.batchBytes += data.length;
    if (this.batchBytes >= OUTPUT_BATCH_BYTES) this.passOutputOn();
    else this.batchTimer ??= setImmediate(() => this.passOutputOn());
    this.throttle();
  }

  /** Records the output batched so far, then sends it to the browser. Runs before any other message. */
  private passOutputOn(): void {
    if (this.batchTimer !== undefined) clearImmediate(this.batchTimer);
    this.batchTimer = undefined;
    if (this.batch.length === 0) return;
    const data = this.batch.length === 1 ? this.batch[0]! : Buffer.concat(this.batch, this.batchBytes);
    this.batch = [];
    this.batchBytes = 0;
    const text = this.outputText.decode(data, { stream: true });
    this.recording?.recordOutput(text);
    for (const c of this.commands.output(text)) this.saveCommand(c);
    this.throttle();
    this.browser.send(data, { binary: true }, () => {
      this.outputPending -= data.length;
      this.unthrottle();
    });
  }

  /**
   * Back-pressure towards the container: its output is no longer read while too much of it waits to
   * reach the browser or to be written to the recording, so a slow browser or a slow audit store slows
   * the process down instead of filling memory.
   */
  private throttle(): void {
    if (this.execPaused) return;
    if (this.outputPending > OUTPUT_HIGH_WATER || this.recordingBehind(RECORDING_HIGH_WATER)) {
      this.execPaused = true;
      this.exec?.pause();
      this.unthrottle();
    }
  }

  private unthrottle(): void {
    if (!this.execPaused || this.outputPending >= OUTPUT_LOW_WATER) return;
    if (this.recordingBehind(RECORDING_LOW_WATER)) {
      // Asked again once what is buffered now is written (a failure ends the session instead).
      if (this.recording === undefined || this.awaitingRecording) return;
      this.awaitingRecording = true;
      this.recording.flush().then(
        () => {
          this.awaitingRecording = false;
          this.unthrottle();
        },
        () => undefined,
      );
      return;
    }
    this.execPaused = false;
    this.exec?.resume();
  }

  private recordingBehind(bytes: number): boolean {
    return (this.recording?.backlogBytes ?? 0) > bytes;
  }

  private exited(status: ExecStatus): void {
    if (this.closing) return; // we closed the stream ourselves: that is no exit status
    this.exitStatus = status;
    const { code, message } = exitMessage(status);
    void this.send({ type: 'exit', code, message }).then(() => this.close());
  }

  private fromBrowser(data: RawData, isBinary: boolean): void {
    if (this.closing) return;
    const buf = Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
    if (!isBinary) {
      const msg = parseClientMessage(buf.toString('utf8'));
      if (!msg.ok) {
        void this.send({ type: 'error', status: 400, message: msg.error, fatal: false });
        return;
      }
      this.enqueue(0, async () => {
        await this.exec?.resize(msg.value.cols, msg.value.rows);
        this.recording?.recordResize(msg.value.cols, msg.value.rows);
      });
      return;
    }
    this.bytesIn += buf.length;
    this.recording?.recordInput(buf);
    for (const c of this.commands.input(buf, this.elapsed())) this.saveCommand(c);
    this.enqueue(buf.length, () => this.exec?.write(buf) ?? Promise.resolve());
  }

  /** Keeps stdin and resizes in order; stops reading the browser while too much waits for the container. */
  private enqueue(bytes: number, run: () => Promise<void>): void {
    this.inputQueued += bytes;
    if (this.inputQueued > INPUT_HIGH_WATER && !this.browserPaused) {
      this.browserPaused = true;
      this.browser.pause();
    }
    this.inputChain = this.inputChain.then(run).then(
      () => {
        this.inputQueued -= bytes;
        if (this.browserPaused && this.inputQueued < INPUT_LOW_WATER) {
          this.browserPaused = false;
          this.browser.resume();
        }
      },
      (err: unknown) => this.deps.log.warn({ err }, 'terminal input failed'),
    );
  }

  private saveCommand(c: CapturedCommand): void {
    const id = this.id;
    if (id === undefined) return;
    this.commandWrites = this.commandWrites.then(() =>
      this.deps.audit.addCommand(id, c).catch((err: unknown) => {
        this.deps.log.error({ err, session: id }, 'could not record a command');
        // Never run commands that cannot be audited.
        this.fatal(
          503,
          `The audit trail can no longer be written (${(err as Error).message}); the terminal was closed.`,
        );
      }),
    );
  }

  /**
   * The recording reached its size cap (the writer calls this once): the session goes on, the browser is
   * told, and the audit record says the recording is incomplete — in order with the command writes, and
   * as fatal as they are if it cannot be written, so no record claims a complete recording.
   */
  private recordingStopped(): void {
    const id = this.id;
    if (id === undefined) return;
    const at = new Date();
    void this.send({
      type: 'notice',
      code: 'recording-stopped',
      message: recordingStoppedMessage(this.deps.recordingMaxBytes),
    });
    this.commandWrites = this.commandWrites.then(() =>
      this.deps.audit.markRecordingTruncated(id, at).catch((err: unknown) => {
        this.deps.log.error({ err, session: id }, 'could not mark the recording as cut short');
        this.fatal(
          503,
          `The audit trail can no longer be written (${(err as Error).message}); the terminal was closed.`,
        );
      }),
    );
  }

  private fatal(status: number, message: string): void {
    this.endError ??= message;
    void this.send({ type: 'error', status, message, fatal: true }).then(() => this.close());
  }

  private send(message: TerminalServerMessage): Promise<void> {
    // The output that came before the message goes first (and into the recording).
    this.passOutputOn();
    if (this.browser.readyState !== this.browser.OPEN) return Promise.resolve();
    return new Promise((resolve) => this.browser.send(JSON.stringify(message), () => resolve()));
  }
}
