// Server CPU (user+sys, from /proc) per 200,000-line backlog read, and the client's: noise-resistant.
import { readFileSync } from 'node:fs';
import { WebSocket } from 'ws';
import { startServer } from './bench/server.js';
const N = 200_000;
const cpu = (pid: number) => { const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' '); return (Number(f[11]) + Number(f[12])) * 10; };
const s = await startServer();
const url = `ws://127.0.0.1:${s.port}/api/clusters/podscope-local/namespaces/demo/pods/firehose/logs/stream?follow=false&tailLines=${N}`;
const read = () => new Promise<number>((resolve, reject) => {
  let lines = 0; const ws = new WebSocket(url, { headers: s.headers });
  ws.on('message', (d: Buffer) => { const t = d.toString(); if (t[0] === 'L') { for (let i = t.indexOf('\n'); i >= 0; i = t.indexOf('\n', i + 1)) lines++; } else if (t.startsWith('{"type":"lines"')) { lines += (JSON.parse(t).lines as unknown[]).length; } else if (t.includes('"end"')) { ws.close(); resolve(lines); } });
  ws.on('error', reject);
});
await read();
const out: string[] = [];
for (let i = 0; i < 5; i++) { const c0 = cpu(s.child.pid!); const cc0 = process.cpuUsage(); const t0 = performance.now(); const n = await read(); const ms = performance.now() - t0; const cc = process.cpuUsage(cc0); out.push(`lines ${n} server cpu ${cpu(s.child.pid!) - c0} ms client cpu ${Math.round((cc.user + cc.system) / 1000)} ms wall ${Math.round(ms)} ms`); }
console.log(out.join('\n'));
await s.stop();
