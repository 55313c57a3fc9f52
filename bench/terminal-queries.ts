// What a benchmark's stand-in for a terminal must answer: busybox ash asks where the cursor is
// (`ESC[6n`, Device Status Report) after each prompt and waits for `ESC[<row>;<col>R`; a real
// terminal (xterm.js in the browser) answers at once. Also `ESC[5n` (status: `ESC[0n`, "OK").
// Fed the output as it arrives (queries may be split across chunks), it returns what to type back.
// The column is tracked roughly (printable characters since the last CR/LF; escape sequences skipped),
// which is all a shell uses it for.

const ESC = '\x1b';

export class TerminalQueryAnswerer {
  /** Characters of an escape sequence not finished at the end of the last chunk. */
  private pending = '';
  private column = 0;
  private row = 1;

  constructor(private readonly rows = 24) {}

  /** Takes output; returns the replies to send back (empty when it asked nothing). */
  feed(output: string): string {
    const text = this.pending + output;
    this.pending = '';
    let replies = '';
    let i = 0;
    while (i < text.length) {
      const ch = text[i]!;
      if (ch === ESC) {
        const rest = text.slice(i);
        const csi = /^\x1b\[([0-9;?]*)([@-~])/.exec(rest);
        if (csi) {
          if (csi[2] === 'n' && csi[1] === '6') replies += `${ESC}[${this.row};${this.column + 1}R`;
          else if (csi[2] === 'n' && csi[1] === '5') replies += `${ESC}[0n`;
          i += csi[0].length;
          continue;
        }
        // An unfinished sequence at the end of the chunk: keep it for the next one.
        if (/^\x1b(\[[0-9;?]*)?$/.test(rest)) {
          this.pending = rest;
          break;
        }
        i += 2; // another two-character escape (ESC 7, ESC =, …)
        continue;
      }
      if (ch === '\r') this.column = 0;
      else if (ch === '\n') this.row = Math.min(this.rows, this.row + 1);
      else if (ch === '\b') this.column = Math.max(0, this.column - 1);
      else if (ch >= ' ') this.column += 1;
      i += 1;
    }
    return replies;
  }
}

/**
 * A command line whose output, not its echo, contains `marker`: the shell prints `echo AB''CD` as
 * typed but outputs `ABCD`, so seeing `ABCD` proves the shell ran it (it is ready), not that the
 * terminal echoed the keystrokes.
 */
export function readinessProbe(marker: string): { line: string; seen: (output: string) => boolean } {
  if (!/^[A-Za-z0-9_]{4,}$/.test(marker)) throw new Error('a marker is 4 or more letters, digits or _');
  const half = Math.floor(marker.length / 2);
  return {
    line: `echo ${marker.slice(0, half)}''${marker.slice(half)}\r`,
    seen: (output) => output.includes(marker),
  };
}
