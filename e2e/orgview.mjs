// Opens a plan picture (internal/orgview) from disk in headless Debian
// chromium and checks it against what the plan holds:
//   node orgview.mjs CHECKS_JSON
// CHECKS_JSON: {file, depts: [{key, mark, parent}], counts: {kind: {op: n}},
// search: [{q, key, dept}], repeat: n, unchanged: n}. Prints {"loadMs", "errors": [...]} and exits 1
// when a check fails. Any request other than the file itself fails.
import { chromium } from 'playwright-core';
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

const checks = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const url = pathToFileURL(checks.file).href;
const errors = [];
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync'],
});
try {
  const ctx = await browser.newContext();
  const requests = [];
  ctx.on('request', (r) => { if (r.url() !== url) requests.push(r.url()); });
  // Refuse anything but the page itself, so a stray reference shows as a
  // failed request rather than a slow one.
  await ctx.route('**/*', (route) => (route.request().url() === url ? route.continue() : route.abort()));
  const page = await ctx.newPage();
  page.setDefaultTimeout(60_000);
  const consoleErrors = [];
  page.on('pageerror', (e) => consoleErrors.push(String(e)));
  // Opened `repeat` times (benchmark): the fastest is the least disturbed
  // by other work on the machine.
  let loadMs = Infinity;
  for (let i = 0; i < (checks.repeat || 1); i++) {
    const t0 = Date.now();
    await page.goto(url, { waitUntil: 'load' });
    loadMs = Math.min(loadMs, Date.now() - t0);
  }

  // Counts at the top equal the plan's.
  for (const [kind, ops] of Object.entries(checks.counts || {})) {
    for (const [op, want] of Object.entries(ops)) {
      const got = await page.locator(`#counts tr[data-kind="${kind}"] td[data-op="${op}"]`).innerText();
      if (Number(got) !== want) errors.push(`count ${kind} ${op}: page shows ${got}, the plan has ${want}`);
    }
  }
  // Each marked department in the right place with the right mark.
  const placed = await page.evaluate(() => {
    const out = {};
    for (const li of document.querySelectorAll('li.dept')) {
      const up = li.parentElement.closest('li.dept');
      out[li.dataset.key] = { marks: li.dataset.marks.split(' '), parent: up ? up.dataset.key : '#',
        visible: li.querySelector(':scope > .row').getBoundingClientRect().height > 0 };
    }
    return out;
  });
  for (const d of checks.depts || []) {
    const p = placed[d.key];
    if (!p) { errors.push(`department ${d.key} is not on the page`); continue; }
    if (!p.marks.includes(d.mark)) errors.push(`department ${d.key}: marks ${p.marks}, want ${d.mark}`);
    if (p.parent !== d.parent) errors.push(`department ${d.key}: under ${p.parent}, want ${d.parent}`);
    if (!p.visible) errors.push(`department ${d.key} is not visible`);
  }
  // The search finds an employee (a changed one, and one whose list the
  // page builds only when asked), opens their department's members and
  // marks them.
  let searchMs = 0;
  for (const want of checks.search || []) {
    const t1 = Date.now();
    await page.fill('#q', want.q);
    await page.press('#q', 'Enter');
    const hit = page.locator(`li.emp.hit[data-key="${want.key}"]`).first();
    try {
      await hit.waitFor({ state: 'visible', timeout: 30_000 });
      searchMs = Math.max(searchMs, Date.now() - t1);
      const dept = await hit.evaluate((el) => el.closest('li.dept').dataset.key);
      if (dept !== want.dept) errors.push(`search "${want.q}": ${want.key} found under ${dept}, want ${want.dept}`);
      const hits = await page.locator('#hits').innerText();
      if (!/^\d+ found/.test(hits) || hits.startsWith('0 ')) errors.push(`search "${want.q}": the page says "${hits}"`);
    } catch (e) {
      errors.push(`search for "${want.q}" did not show employee ${want.key}: ${e.message.split('\n')[0]}`);
    }
  }
  // Printed: every member list open, every unchanged member listed once,
  // no search box; afterwards the screen is as it was.
  if (checks.unchanged !== undefined) {
    await page.evaluate(() => addEventListener('beforeprint', () => {
      window.printed = { closed: document.querySelectorAll('details:not([open])').length,
        members: document.querySelectorAll('li.emp:not([data-change])').length };
    }));
    await page.emulateMedia({ media: 'print' });
    if (await page.locator('.tools').isVisible()) errors.push('the search box prints');
    await page.emulateMedia({ media: 'screen' });
    const before = await page.locator('details[open]').count();
    const pdf = await page.pdf();
    const p = await page.evaluate(() => window.printed);
    if (!p) {
      errors.push('printing did not run the page\'s beforeprint');
    } else {
      if (p.closed !== 0) errors.push(`printed with ${p.closed} member lists closed`);
      if (p.members !== checks.unchanged) errors.push(`printed ${p.members} unchanged members, the plan leaves ${checks.unchanged}`);
    }
    if (pdf.length < 1000) errors.push(`the PDF has ${pdf.length} bytes`);
    const after = await page.locator('details[open]').count();
    if (after !== before) errors.push(`after printing ${after} member lists are open, before ${before}`);
  }
  for (const r of requests) errors.push(`the page made a request: ${r}`);
  for (const e of consoleErrors) errors.push(`script error: ${e}`);
  console.log(JSON.stringify({ loadMs, searchMs, errors }));
  process.exitCode = errors.length ? 1 : 0;
} finally {
  await browser.close();
}
