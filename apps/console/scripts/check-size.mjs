// The first load's JavaScript, gzipped, must stay within 300 KB (issue 20): the entry script and every
// module it preloads, as index.html names them. Views loaded on demand (analytics) are not counted.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

const LIMIT = 300 * 1024;
const dist = join(import.meta.dirname, '..', 'dist');
const html = readFileSync(join(dist, 'index.html'), 'utf8');
const scripts = [...html.matchAll(/(?:src|href)="\/console\/(assets\/[^"]+\.js)"/g)].map((match) => match[1]);
if (scripts.length === 0) throw new Error('index.html names no script');
if (/<script(?![^>]*\bsrc=)[^>]*>/.test(html)) throw new Error('index.html has an inline script');
let total = 0;
for (const file of scripts) total += gzipSync(readFileSync(join(dist, file))).length;
const line = `console first load: ${scripts.length} scripts, ${(total / 1024).toFixed(1)} KB gzipped (limit ${LIMIT / 1024} KB)`;
if (total > LIMIT) {
  console.error(line);
  process.exit(1);
}
console.log(line);
