// Background CPU load for CI: keeps N cores busy (default 2) with child processes that spin, so the
// test suite is proved to pass on a loaded machine. Runs until it is killed (SIGTERM/SIGINT), and
// takes its children with it. Usage: node .ci/cpu-load.mjs [N] &
import { fork } from 'node:child_process';

if (process.argv[2] === '--spin') {
  // One busy core, killed by the parent; it also ends itself if the parent is gone (killed -9).
  const parent = process.ppid;
  for (;;) {
    const until = Date.now() + 200;
    while (Date.now() < until);
    try {
      process.kill(parent, 0); // process.ppid is read once at start in Node 20: ask the kernel instead
    } catch {
      process.exit(0);
    }
  }
}

const n = Number(process.argv[2] ?? 2);
const children = Array.from({ length: n }, () => fork(new URL(import.meta.url).pathname, ['--spin'], { stdio: 'ignore' }));
const stop = () => {
  for (const child of children) child.kill('SIGKILL');
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
process.on('SIGHUP', stop);
console.log(`cpu-load: ${n} busy processes (${children.map((c) => c.pid).join(', ')})`);
setInterval(() => {}, 1 << 30); // stay alive until killed
