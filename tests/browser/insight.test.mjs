// Opens the page `gauntlet insight --html` wrote in Debian's Chromium and checks that it
// renders without console errors, fetches nothing, and that every number on it is the
// one `gauntlet insight --json` gave, written as its data-kind says.
//
//   node tests/browser/insight.test.mjs REPORT.json REPORT.html
//
// Exits 0 when every check holds; else prints each failure and exits 1. Run by
// tests/insight_browser_test.cc (the suite); set up by tests/browser/setup.
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';

const [jsonPath, htmlPath] = process.argv.slice(2);
const report = JSON.parse(readFileSync(jsonPath, 'utf8'));
const failures = [];

// The same spellings as gauntlet's HumanDuration (core/duration.h) and report_html.cc.
function humanMs(ms) {
  if (ms < 1000) return `${ms}ms`;
  if (ms < 60000) return `${Math.floor(ms / 1000)}.${Math.floor((ms % 1000) / 100)}s`;
  const s = Math.floor(ms / 1000);
  const pad = (n) => String(n).padStart(2, '0');
  if (s < 3600) return `${Math.floor(s / 60)}m${pad(s % 60)}s`;
  return `${Math.floor(s / 3600)}h${pad(Math.floor((s % 3600) / 60))}m`;
}
function written(value, kind) {
  if (value === null || value === undefined) return '-';
  switch (kind) {
    case 'ms': return humanMs(value);
    case 'pct': return `${(100 * value).toFixed(1)}%`;
    case 'int': return String(value);
    case 'rate': return value.toFixed(2);
    case 'latency': return `${value.toFixed(3)} ms`;
  }
  return `unknown kind ${kind}`;
}
function at(path) {
  let v = report;
  for (const key of path.split('.')) {
    if (v === null || typeof v !== 'object' || !(key in v)) return undefined;
    v = v[key];
  }
  return v;
}

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
         '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
try {
  const page = await browser.newPage();
  page.on('console', (m) => { if (m.type() === 'error') failures.push(`console: ${m.text()}`); });
  page.on('pageerror', (e) => failures.push(`page error: ${e.message}`));
  page.on('request', (r) => {
    if (!r.url().startsWith('file:')) failures.push(`fetched ${r.url()}`);
  });
  await page.goto(pathToFileURL(htmlPath).href, { waitUntil: 'load' });
  const numbers = await page.$$eval('[data-path]', (els) => els.map((e) => ({
    path: e.dataset.path, kind: e.dataset.kind, text: e.textContent,
    visible: e.getBoundingClientRect().height > 0,
  })));
  if (numbers.length < 20) failures.push(`only ${numbers.length} numbers on the page`);
  for (const n of numbers) {
    const value = at(n.path);
    if (value === undefined) failures.push(`${n.path}: not in the JSON`);
    else if (n.text !== written(value, n.kind))
      failures.push(`${n.path}: page shows ${n.text}, JSON has ${value} (${written(value, n.kind)})`);
    if (!n.visible) failures.push(`${n.path}: not visible`);
  }
  const charts = await page.$$eval('svg', (els) => els.filter(
    (e) => e.getBoundingClientRect().width > 0 && e.querySelectorAll('rect').length > 0).length);
  if (charts < 3) failures.push(`${charts} charts drawn, expected at least 3`);
  console.log(`${numbers.length} numbers and ${charts} charts checked`);
} finally {
  await browser.close();
}
for (const f of failures) console.log(`FAIL ${f}`);
process.exit(failures.length ? 1 : 0);
