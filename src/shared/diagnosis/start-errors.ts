// Why the runtime could not start a container's process (RunContainerError / StartError /
// CreateContainerError, or runc's own words in the output when the exec fails after the process started).
// runc's wording: `exec: "x": executable file not found in $PATH`, `exec: "/x": stat /x: no such file or
// directory`, `exec: "/x": permission denied`, and `exec /x: exec format error`.

export type StartProblem =
  | { kind: 'command-not-found'; command: string; detail: string }
  | { kind: 'permission-denied'; command: string; detail: string }
  | { kind: 'exec-format'; command: string; detail: string }
  | { kind: 'other'; detail: string };

export function parseStartError(text: string): StartProblem {
  const notInPath = /exec: "([^"]+)": executable file not found in \$PATH/.exec(text);
  if (notInPath) {
    return { kind: 'command-not-found', command: notInPath[1]!, detail: 'not found in $PATH' };
  }
  const noFile = /exec: "([^"]+)": stat [^:]+: no such file or directory/.exec(text);
  if (noFile) return { kind: 'command-not-found', command: noFile[1]!, detail: 'no such file' };
  const denied = /exec: "([^"]+)": permission denied/.exec(text);
  if (denied) return { kind: 'permission-denied', command: denied[1]!, detail: 'permission denied' };
  const format = /exec:? "?([^":]+)"?: exec format error/.exec(text);
  if (format) return { kind: 'exec-format', command: format[1]!.trim(), detail: 'exec format error' };
  return { kind: 'other', detail: runtimeDetail(text) };
}

/** The useful tail of a runtime error ("failed to create containerd task: … unable to start …: X: unknown"). */
export function runtimeDetail(text: string): string {
  const m = /unable to start container process: ([\s\S]+?)(?:: unknown)?$/.exec(text.trim());
  return (m ? m[1]! : text).trim();
}
