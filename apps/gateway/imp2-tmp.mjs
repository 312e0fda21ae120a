import fs from 'node:fs';
const rss = () => Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync('/proc/self/status','utf8'))[1]);
const base = process.argv[2].split(',').filter(Boolean); const target = process.argv[3];
for (const m of base) await import(m);
const heap0 = process.memoryUsage().heapUsed;
const r0 = rss();
await import(target);
const r1 = rss();
console.log(target.padEnd(20), 'rss +', ((r1-r0)/1024).toFixed(1), 'MiB heapUsed +', ((process.memoryUsage().heapUsed-heap0)/1048576).toFixed(1));
