// What a container's exit code (and signal) means. Exit codes above 128 are 128 + the number of the signal
// that killed the process (the shell convention, which runc follows for the container's main process).

export interface ExitMeaning {
  code: number;
  /** The signal that ended the process, when the code (or the status' `signal` field) says so. */
  signal: { number: number; name: string } | null;
  /** A short phrase: "killed with SIGKILL", "a general error reported by the program itself". */
  meaning: string;
}

/** Linux x86-64/arm64 signal numbers (the ones a container's process plausibly dies of). */
const SIGNALS: Record<number, { name: string; meaning: string }> = {
  1: { name: 'SIGHUP', meaning: 'hang-up, its terminal or controlling process went away' },
  2: { name: 'SIGINT', meaning: 'interrupted (the Ctrl-C signal)' },
  3: { name: 'SIGQUIT', meaning: 'a quit signal, usually with a core dump' },
  4: { name: 'SIGILL', meaning: 'an illegal instruction, perhaps a binary built for another CPU' },
  5: { name: 'SIGTRAP', meaning: 'trace/breakpoint trap' },
  6: {
    name: 'SIGABRT',
    meaning: 'aborted by the program itself (abort(), a failed assertion, an uncaught C++ exception)',
  },
  7: { name: 'SIGBUS', meaning: 'a bus error, an invalid memory access such as to a truncated mapped file' },
  8: { name: 'SIGFPE', meaning: 'arithmetic error such as an integer division by zero' },
  9: { name: 'SIGKILL', meaning: 'killed outright' },
  10: { name: 'SIGUSR1', meaning: 'user-defined signal 1, not handled by the program' },
  11: { name: 'SIGSEGV', meaning: 'a segmentation fault, an access to memory the program may not touch' },
  12: { name: 'SIGUSR2', meaning: 'user-defined signal 2, not handled by the program' },
  13: { name: 'SIGPIPE', meaning: 'wrote to a pipe or socket whose reader had gone' },
  14: { name: 'SIGALRM', meaning: 'an alarm timer fired and was not handled' },
  15: { name: 'SIGTERM', meaning: 'asked to stop with the normal shutdown signal' },
  24: { name: 'SIGXCPU', meaning: 'exceeded its CPU time limit' },
  25: { name: 'SIGXFSZ', meaning: 'exceeded its file size limit' },
  31: { name: 'SIGSYS', meaning: 'made a system call the seccomp profile forbids' },
};

const CODES: Record<number, string> = {
  0: 'success, the program finished',
  1: 'a general error reported by the program itself',
  2: 'by convention a usage error such as bad arguments; also what a Go program exits with when it panics',
  126: 'the command was found but could not be run (not executable, or permission denied)',
  127: 'command not found by the shell',
  128: 'the container runtime could not start the process',
  255: 'exit status -1 or out of range (a crash of the program or its runtime, or exit(-1))',
};

export function signalName(n: number): string | null {
  return SIGNALS[n]?.name ?? null;
}

/**
 * `signal` is the container status' `terminated.signal` (rarely set by containerd); when it is absent,
 * codes 129–159 are read as 128 + signal, as for any process run by a shell or runc.
 */
export function exitMeaning(code: number, signal: number | null = null): ExitMeaning {
  const sig = signal !== null && signal > 0 ? signal : code > 128 && code < 160 ? code - 128 : null;
  if (sig !== null) {
    const known = SIGNALS[sig];
    return {
      code,
      signal: { number: sig, name: known?.name ?? `signal ${sig}` },
      meaning: known?.meaning ?? `killed by signal ${sig}`,
    };
  }
  const known = CODES[code];
  if (known) return { code, signal: null, meaning: known };
  if (code > 2 && code < 126) return { code, signal: null, meaning: 'an error code chosen by the program' };
  return { code, signal: null, meaning: 'an unusual exit status' };
}

/** "exit code 137 (SIGKILL)" or "exit code 1". */
export function exitLabel(code: number, signal: number | null = null): string {
  const m = exitMeaning(code, signal);
  return m.signal ? `exit code ${code} (${m.signal.name})` : `exit code ${code}`;
}

/**
 * "code 139 (SIGSEGV — a segmentation fault — …)". A SIGKILL that Kubernetes did not report as OOMKilled
 * says so, since 137 is so often read as "out of memory".
 */
export function exitPhrase(code: number, signal: number | null = null, oomKilled = false): string {
  const m = exitMeaning(code, signal);
  const meaning =
    m.signal?.number === 9 && !oomKilled
      ? `${m.meaning}, not by the memory limit (Kubernetes would report OOMKilled)`
      : m.meaning;
  return `code ${code} (${m.signal ? `${m.signal.name} — ` : ''}${meaning})`;
}
