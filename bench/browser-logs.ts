// The browser log viewer holding 1,000,000 lines, in Debian's Chromium (headless, through playwright-core),
// measured through the DevTools protocol — not a timed test:
//   viewer-heap    JS heap used by the page with the 1,000,000 lines loaded, after a forced GC
//                  (HeapProfiler.collectGarbage, then Runtime.getHeapUsage); the search worker's heap and
//                  the renderer process's RSS are given in the note
//   viewer-search  search over all lines: from Enter in the search box to the final match count on screen
//                  (timed by the page itself: a keydown listener, then a MutationObserver on the count and
//                  the next animation frame), median of 3, for a plain-text and a regex query; and the longest
//                  gap between animation frames meanwhile (how long the page stopped responding)
//   viewer-scroll  frame times while wheel-scrolling the list (CDP Input.dispatchMouseEvent, one wheel
//                  event per frame at most): per frame, from its start (the requestAnimationFrame
//                  timestamp) until the main thread gets to a task posted from that frame — the frame's
//                  scroll handling, React rendering, style, layout and paint. p95 of the frames that
//                  scrolled the list (a scroll event fired in them); the idle frames between wheel events
//                  are in the note.
// kubectl has nothing to compare with (kubectl column empty).
//
// Where the lines come from: a pod of the benchmark's own in namespace demo (the demo image's busybox awk)
// prints 1,000,000 numbered lines of 54–80 bytes (like an access log; every 50th a warning, every 200th an
// error with "upstream timeout") and then sleeps. The kubelet rotates a container's log at
// containerLogMaxSize (100 MiB on the local cluster, cluster/components.sh), and `kubectl logs` reads only
// the current file, so the lines are kept short enough that the whole output (~100 bytes a line with the
// CRI prefix) fits in one file — the benchmark checks that the first and the last line are both still
// there before it opens the viewer, and fails otherwise. The viewer then loads them as a user would: the
// pod's Logs tab with "Tail: all" and Follow off (a follow would add the kubelet's complaints when the
// shared node runs out of inotify instances), through Podscope's real stream. The list must hold its
// 1,000,000 rows (the viewer's cap; with the end-of-stream row the first line is dropped) and show the
// end-of-stream row and the last line before anything is measured; search counts are checked against the
// counts the generator implies. The pod is deleted at the end.
//
// With PODSCOPE_BENCH_PAGE_PROF=DIR, a CPU profile of the page while it scrolls is written there.
// Needs the web build (dist/web); it is rebuilt first when src/web or src/shared is newer.
// Run: npx tsx bench/browser-logs.ts [--only viewer-heap,viewer-search,viewer-scroll]   (or npm run bench)
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type CDPSession, type Page } from 'playwright-core';
import { WebSocket } from 'ws';
import { kubectlOk, repoRoot } from '../test/support/cluster.js';
import { createTestPod, deleteTestPod, waitRunning } from '../test/support/pods.js';
import { emitMeasures, parseBenchArgs, wants, type Measure } from './report.js';
import { startServer } from './server.js';

const CLUSTER = 'podscope-local';
const LINES = 1_000_000;
const args = parseBenchArgs(process.argv.slice(2));

/** The generator: line n (1-based) is an error every 200th, a warning every 50th, else an access line. */
const AWK = `BEGIN {
  for (n = 1; n <= ${LINES}; n++) {
    if (n % 200 == 0) printf "level=error req=%07d POST /api/payments status=503 ms=%d err=\\"upstream timeout\\"\\n", n, 3000 + n % 997;
    else if (n % 50 == 0) printf "level=warn req=%07d GET /api/orders/%d status=429 ms=%d retry=1\\n", n, n % 9973, n % 89;
    else printf "level=info req=%07d GET /api/orders/%d status=200 ms=%d\\n", n, n % 9973, n % 89;
  }
}`;
const FIRST = 'req=0000001 ';
const LAST = `req=${LINES} `;

/** The searches, with the counts the generator implies (one match per matching line). */
const SEARCHES = [
  { label: 'plain text "timeout"', q: 'timeout', regex: false, expect: LINES / 200 },
  { label: 'regex "status=(429|5\\d\\d)"', q: 'status=(429|5\\d\\d)', regex: true, expect: LINES / 50 },
];
const SEARCH_RUNS = 3;
const SCROLL_EVENTS = 240;
const WHEEL_DELTA = -400;

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const percentile = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
};

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

/** Builds dist/web unless it is newer than every source it is built from. */
function ensureWebBuild(): void {
  const index = path.join(repoRoot, 'dist/web/index.html');
  const sources = Math.max(
    newestMtime(path.join(repoRoot, 'src/web')),
    newestMtime(path.join(repoRoot, 'src/shared')),
  );
  if (existsSync(index) && statSync(index).mtimeMs > sources) return;
  console.log('building the web app (dist/web is missing or older than src/web)…');
  execFileSync('npm', ['run', '-s', 'build:web'], { cwd: repoRoot, stdio: 'inherit' });
}

async function preparePod(): Promise<string> {
  const name = await createTestPod({
    prefix: 'bench-viewer',
    restartPolicy: 'Never',
    script: `awk '${AWK}'; exec sleep 3600`,
  });
  await waitRunning(name);
  const deadline = Date.now() + 180_000;
  for (;;) {
    const last = await kubectlOk(['-n', 'demo', 'logs', name, '--tail=1']);
    if (last.includes(LAST)) break;
    if (Date.now() > deadline) throw new Error(`${name} did not print its ${fmt(LINES)} lines in time`);
    await new Promise((r) => setTimeout(r, 2000));
  }
  const first = await kubectlOk(['-n', 'demo', 'logs', name, '--limit-bytes=200']);
  if (!first.startsWith(`level=info ${FIRST}`)) {
    throw new Error(`${name}: the first line is gone (log rotated?): ${first.slice(0, 80)}`);
  }
  return name;
}

interface Frames {
  /** Per frame: its work (see the header). */
  work: number[];
  /** Per frame: whether it handled a scroll of `scroller` (a scroll event fired in it). */
  scrolled: boolean[];
  /** Intervals between consecutive frames' timestamps. */
  gap: number[];
}

/**
 * Per animation frame while `run` runs: frame work (see the header), whether the frame scrolled the
 * list, and the interval between frames. Each frame's start travels with its message: a long frame can
 * let the next frame begin before its message is handled, and measuring from a shared "latest frame
 * start" would then take the next frame's (later) start and shorten exactly the long frames. Scroll
 * events fire in a frame before its animation-frame callbacks, so a count that moved since the last
 * callback tells that this frame handled a scroll.
 */
async function frameTimes(page: Page, scroller: string, run: () => Promise<void>): Promise<Frames> {
  await page.evaluate((selector) => {
    const w = window as unknown as { __frames: Frames & { on: boolean } };
    w.__frames = { work: [], scrolled: [], gap: [], on: true };
    let scrolls = 0;
    let seen = 0;
    document.querySelector(selector)!.addEventListener('scroll', () => scrolls++, { passive: true });
    const channel = new MessageChannel();
    let prev = 0;
    channel.port1.onmessage = (e: MessageEvent<{ start: number; scrolled: boolean }>) => {
      w.__frames.work.push(performance.now() - e.data.start);
      w.__frames.scrolled.push(e.data.scrolled);
    };
    const tick = (t: number): void => {
      if (!w.__frames.on) return;
      if (prev) w.__frames.gap.push(t - prev);
      prev = t;
      channel.port2.postMessage({ start: t, scrolled: scrolls !== seen });
      seen = scrolls;
      requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  }, scroller);
  await run();
  return page.evaluate(() => {
    const w = window as unknown as { __frames: Frames & { on: boolean } };
    w.__frames.on = false;
    return { work: w.__frames.work, scrolled: w.__frames.scrolled, gap: w.__frames.gap };
  });
}

/** JS heap used after a full GC, in bytes. */
async function heapUsed(cdp: CDPSession): Promise<number> {
  await cdp.send('HeapProfiler.collectGarbage');
  await cdp.send('HeapProfiler.collectGarbage');
  const usage = await cdp.send('Runtime.getHeapUsage');
  return usage.usedSize;
}

/**
 * JS heap used by the page's dedicated workers (the log search's), after a GC. Playwright's CDP sessions
 * cannot reach a worker, so this goes through the browser's own DevTools endpoint (a debugging port)
 * with flat sessions: attach to the page, auto-attach to its workers, ask each.
 */
async function workerHeapUsed(port: number, urlPart: string): Promise<number | null> {
  const version = (await (await fetch(`http://127.0.0.1:${port}/json/version`)).json()) as {
    webSocketDebuggerUrl: string;
  };
  const ws = new WebSocket(version.webSocketDebuggerUrl, { perMessageDeflate: false });
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
  let id = 0;
  const pending = new Map<number, (m: { result?: unknown; error?: { message: string } }) => void>();
  const workers: string[] = [];
  ws.on('message', (data: Buffer) => {
    const m = JSON.parse(data.toString()) as {
      id?: number;
      method?: string;
      params?: { sessionId: string; targetInfo: { type: string } };
      result?: unknown;
      error?: { message: string };
    };
    if (m.id !== undefined) pending.get(m.id)?.(m);
    else if (m.method === 'Target.attachedToTarget' && m.params!.targetInfo.type === 'worker')
      workers.push(m.params!.sessionId);
  });
  const send = <T>(method: string, params: object = {}, sessionId?: string): Promise<T> =>
    new Promise((resolve, reject) => {
      const n = ++id;
      pending.set(n, (m) =>
        m.error ? reject(new Error(`${method}: ${m.error.message}`)) : resolve(m.result as T),
      );
      ws.send(JSON.stringify({ id: n, method, params, ...(sessionId ? { sessionId } : {}) }));
    });
  try {
    const { targetInfos } = await send<{ targetInfos: { targetId: string; type: string; url: string }[] }>(
      'Target.getTargets',
    );
    const page = targetInfos.find((t) => t.type === 'page' && t.url.includes(urlPart));
    if (!page) return null;
    const { sessionId } = await send<{ sessionId: string }>('Target.attachToTarget', {
      targetId: page.targetId,
      flatten: true,
    });
    await send(
      'Target.setAutoAttach',
      { autoAttach: true, waitForDebuggerOnStart: false, flatten: true },
      sessionId,
    );
    await new Promise((r) => setTimeout(r, 500));
    if (workers.length === 0) return null;
    let total = 0;
    for (const worker of workers) {
      await send('HeapProfiler.collectGarbage', {}, worker);
      total += (await send<{ usedSize: number }>('Runtime.getHeapUsage', {}, worker)).usedSize;
    }
    return total;
  } finally {
    ws.close();
  }
}

/** The renderer processes' resident memory (KiB), through SystemInfo's process list and /proc. */
async function rendererRssKiB(browser: Browser): Promise<number | null> {
  const session = await browser.newBrowserCDPSession();
  try {
    const { processInfo } = await session.send('SystemInfo.getProcessInfo');
    let total = 0;
    for (const p of processInfo.filter((p) => p.type === 'renderer')) {
      const m = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${p.id}/status`, 'utf8'));
      if (m) total += Number(m[1]);
    }
    return total || null;
  } catch {
    return null;
  } finally {
    await session.detach();
  }
}

/** Types `q` into the search box and presses Enter; resolves with the page's timings (see the header). */
async function timedSearch(
  page: Page,
  q: string,
  expect: number,
): Promise<{ ms: number; longestFrameGap: number }> {
  const input = page.getByTestId('log-search');
  await input.fill(q);
  await page.evaluate((expected) => {
    const w = window as unknown as { __search: Promise<{ ms: number; longestFrameGap: number }> };
    const count = document.querySelector('[data-testid="log-search-count"]')!;
    const wanted = `${expected.toLocaleString('en-US')} matches`;
    w.__search = new Promise((resolve) => {
      let t0 = 0;
      let longest = 0;
      let prev = 0;
      let done = false;
      const tick = (t: number): void => {
        if (done) return;
        if (prev) longest = Math.max(longest, t - prev);
        prev = t;
        requestAnimationFrame(tick);
      };
      const onKey = (e: KeyboardEvent): void => {
        if (e.key !== 'Enter') return;
        t0 = performance.now();
        requestAnimationFrame(tick);
        document.removeEventListener('keydown', onKey, true);
      };
      document.addEventListener('keydown', onKey, true);
      const observer = new MutationObserver(() => {
        const text = count.textContent ?? '';
        if (t0 === 0 || !text.endsWith(wanted) || text.includes('…')) return;
        observer.disconnect();
        requestAnimationFrame(() => {
          const ms = performance.now() - t0;
          done = true;
          resolve({ ms, longestFrameGap: Math.max(longest, performance.now() - (prev || t0)) });
        });
      });
      observer.observe(count, { childList: true, characterData: true, subtree: true });
    });
  }, expect);
  await input.press('Enter');
  const result = await Promise.race([
    page.evaluate(
      () => (window as unknown as { __search: Promise<{ ms: number; longestFrameGap: number }> }).__search,
    ),
    new Promise<never>((_, reject) =>
      setTimeout(
        () =>
          void page
            .getByTestId('log-search-count')
            .textContent()
            .then((t) =>
              reject(new Error(`search "${q}": expected ${expect} matches, the page says "${t}"`)),
            ),
        60_000,
      ),
    ),
  ]);
  return result;
}

async function main() {
  const measures: Measure[] = [];
  /** Printed at once too: a run cut short still shows what it measured. */
  const record = (m: Measure): void => {
    measures.push(m);
    console.log(
      `  ${m.measure}: ${m.podscope === null ? '?' : m.podscope.toFixed(1)} ${m.unit} (${m.note ?? ''})`,
    );
  };
  ensureWebBuild();
  const pod = await preparePod();
  const server = await startServer();
  const debugPort = 9300 + Math.floor(Math.random() * 600);
  const browser = await chromium.launch({
    executablePath: process.env['PODSCOPE_CHROMIUM'] ?? '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      `--remote-debugging-port=${debugPort}`,
    ],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.setDefaultTimeout(60_000);
    // tsx compiles the functions given to page.evaluate with esbuild's keepNames helper: define it there.
    await page.addInitScript({ content: 'globalThis.__name = (f) => f;' });
    const token = server.headers['authorization']?.replace(/^Bearer /, '') ?? '';
    await page.goto(`${server.url}/clusters?token=${token}`);
    const t0 = performance.now();
    // Everything the pod printed, without following: a follow would also show the kubelet's complaints
    // when the node runs out of inotify instances (a shared machine), and there is nothing more to come.
    await page.goto(`${server.url}/c/${CLUSTER}/ns/demo/pods/${pod}?tab=logs&tail=all&follow=0`);
    // Loaded: the list has its 1,000,000 rows (the viewer's cap: with the end-of-stream row, the first line
    // is dropped), and at the end the last line. (Progress meanwhile: the rows the list is sized for.)
    const rows = () =>
      page.evaluate(
        () => parseFloat(document.querySelector<HTMLElement>('.log-inner')?.style.height ?? '') / 18 || 0,
      );
    const progress = setInterval(() => {
      void page
        .evaluate(() => document.querySelector<HTMLElement>('.log-inner')?.style.height ?? '')
        .then((h) =>
          console.log(
            `  ${fmt((parseFloat(h) || 0) / 18)} rows after ${fmt((performance.now() - t0) / 1000)} s`,
          ),
        )
        .catch(() => undefined);
    }, 30_000);
    while ((await rows()) < LINES || (await page.locator('[data-marker-kind="end"]').count()) === 0) {
      if (performance.now() - t0 > 1_800_000) throw new Error(`only ${fmt(await rows())} rows after 30 min`);
      // Lines arriving while the list moves to the end can leave it short of the end: go back there.
      if (await page.getByTestId('log-jump-latest').isVisible())
        await page.getByTestId('log-jump-latest').click();
      await new Promise((r) => setTimeout(r, 1000));
    }
    clearInterval(progress);
    await page.waitForFunction(
      (last) =>
        [...document.querySelectorAll('[data-testid="log-line"]')].some((row) =>
          row.textContent?.includes(last),
        ),
      LAST.trim(),
    );
    const loadSeconds = (performance.now() - t0) / 1000;
    console.log(`${fmt(LINES)} lines in the viewer after ${loadSeconds.toFixed(1)} s`);
    const cdp = await page.context().newCDPSession(page);
    await new Promise((r) => setTimeout(r, 2000));

    if (wants(args, 'viewer-heap')) {
      const used = await heapUsed(cdp);
      const rss = await rendererRssKiB(browser);
      const worker = await workerHeapUsed(debugPort, pod).catch((err: unknown) => {
        console.error(`the worker's heap: ${String(err)}`);
        return null;
      });
      record({
        id: 'viewer-heap',
        measure: `log viewer: JS heap with ${fmt(LINES)} lines (after GC)`,
        unit: 'MB',
        podscope: used / 1e6,
        kubectl: null,
        goal: { on: 'value', op: '<=', target: 300 },
        note: `${fmt(used / LINES)} bytes a line; the search worker's heap ${worker === null ? 'none' : `${fmt(worker / 1e6)} MB`}; renderer RSS ${rss === null ? '?' : fmt(rss / 1024)} MiB; loaded in ${loadSeconds.toFixed(0)} s`,
      });
    }

    if (wants(args, 'viewer-search')) {
      const runs = SEARCHES.map(() => ({ ms: [] as number[], gap: [] as number[] }));
      for (let r = 0; r < SEARCH_RUNS; r++) {
        for (const [i, s] of SEARCHES.entries()) {
          // The regex toggle belongs to the query: set it first (that alone searches nothing new).
          const regexOn =
            (await page.getByTestId('log-search-regex').getAttribute('aria-pressed')) === 'true';
          if (regexOn !== s.regex) await page.getByTestId('log-search-regex').click();
          const { ms, longestFrameGap } = await timedSearch(page, s.q, s.expect);
          runs[i]!.ms.push(ms);
          runs[i]!.gap.push(longestFrameGap);
        }
      }
      for (const [i, s] of SEARCHES.entries()) {
        record({
          id: 'viewer-search',
          measure: `log viewer: search ${fmt(LINES)} lines, ${s.label}`,
          unit: 'ms',
          podscope: median(runs[i]!.ms),
          kubectl: null,
          goal: { on: 'value', op: '<=', target: 200 },
          note: `Enter → "${fmt(s.expect)} matches" shown; median of ${SEARCH_RUNS}: ${runs[i]!.ms.map(fmt).join(', ')} ms`,
        });
      }
      const gaps = runs.flatMap((r) => r.gap);
      record({
        id: 'viewer-search',
        measure: 'log viewer: longest frame gap while a search runs',
        unit: 'ms',
        podscope: Math.max(...gaps),
        kubectl: null,
        goal: { on: 'value', op: '<=', target: 50 },
        note: `over all ${gaps.length} searches; above 50 ms the page is not responding (a long task)`,
      });
      await page.getByTestId('log-search').fill('');
      await page.getByTestId('log-search').press('Escape');
      await page.waitForFunction(
        () => (document.querySelector('[data-testid="log-search-count"]')?.textContent ?? '') === '',
      );
    }

    if (wants(args, 'viewer-scroll')) {
      // From the end (a search may have moved the view to its first match, anywhere), upwards.
      await page.getByTestId('log-scroll').press('End');
      await page.waitForFunction(() => {
        const el = document.querySelector('[data-testid="log-scroll"]')!;
        return el.scrollHeight - el.scrollTop - el.clientHeight < 18;
      });
      const box = (await page.getByTestId('log-scroll').boundingBox())!;
      await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
      const before = await page.getByTestId('log-scroll').evaluate((el) => el.scrollTop);
      const profileDir = process.env['PODSCOPE_BENCH_PAGE_PROF'];
      if (profileDir) {
        await cdp.send('Profiler.enable');
        await cdp.send('Profiler.start');
      }
      const frames = await frameTimes(page, '[data-testid="log-scroll"]', async () => {
        for (let i = 0; i < SCROLL_EVENTS; i++) {
          await cdp.send('Input.dispatchMouseEvent', {
            type: 'mouseWheel',
            x: box.x + box.width / 2,
            y: box.y + box.height / 2,
            deltaX: 0,
            deltaY: WHEEL_DELTA,
          });
          await page.evaluate(() => new Promise((r) => requestAnimationFrame(r)));
        }
      });
      if (profileDir) {
        const { profile } = await cdp.send('Profiler.stop');
        mkdirSync(profileDir, { recursive: true });
        writeFileSync(
          path.join(profileDir, `viewer-scroll-${Date.now()}.cpuprofile`),
          JSON.stringify(profile),
        );
      }
      const after = await page.getByTestId('log-scroll').evaluate((el) => el.scrollTop);
      const rows = Math.round((before - after) / 18);
      if (rows < SCROLL_EVENTS * 10) throw new Error(`the list scrolled only ${rows} rows`);
      // The frames that scrolled the list: between wheel events (one a frame at most, paced by the round
      // trips of the protocol) come frames with nothing to do, and counted in they would only dilute
      // the percentile — a real wheel or touchpad scroll moves the list in every frame while it lasts.
      const scrolled = frames.work.filter((_, i) => frames.scrolled[i]);
      if (scrolled.length < SCROLL_EVENTS / 2) {
        throw new Error(`only ${scrolled.length} frames scrolled for ${SCROLL_EVENTS} wheel events`);
      }
      record({
        id: 'viewer-scroll',
        measure: `log viewer: frame time while scrolling ${fmt(LINES)} lines, p95`,
        unit: 'ms',
        podscope: percentile(scrolled, 95),
        kubectl: null,
        goal: { on: 'value', op: '<=', target: 16 },
        note: `${scrolled.length} frames that scrolled (${SCROLL_EVENTS} wheel events, ${fmt(rows)} rows); median ${percentile(scrolled, 50).toFixed(1)} ms, max ${Math.max(...scrolled).toFixed(0)} ms; all ${frames.work.length} frames: p95 ${percentile(frames.work, 95).toFixed(1)} ms; frame interval p95 ${percentile(frames.gap, 95).toFixed(1)} ms`,
      });
    }
  } finally {
    await browser.close();
    await server.stop();
    await deleteTestPod(pod);
  }
  emitMeasures(
    args,
    `Browser log viewer (${fmt(LINES)} lines of a bench pod, Debian Chromium, one run)`,
    measures,
  );
}

void main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
