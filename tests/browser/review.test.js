// SPDX-License-Identifier: Apache-2.0
// The exception review page (billing-report review) and the account view
// (account-view --html) in headless Chromium: the demo cycle is run, its
// exceptions.html opened; the page must load without console errors and
// show its charts; choosing decisions and clicking the download button
// must write a disposition CSV that validate-reads applies.
//   node review.test.js BUILDDIR CHROMIUM
// Set BR_SHOT_DIR to keep screenshots of both pages there.
'use strict';
const assert = require('node:assert/strict');
const { execFileSync, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const puppeteer = require('puppeteer-core');

const bin = path.resolve(process.argv[2]);
const chromium = process.argv[3];
const src = path.resolve(__dirname, '..', '..');
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'br-browser-'));
const out = path.join(work, 'out');
const env = { ...process.env, PATH: `${bin}:${process.env.PATH}`, TZ: 'UTC', LC_ALL: 'C' };

function run(cmd, args) {
  return spawnSync(cmd, args, { env, encoding: 'utf8' });
}

async function waitFile(file, ms) {
  for (let t = 0; t < ms; t += 100) {
    if (fs.existsSync(file) && fs.statSync(file).size > 0) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no download ${file} after ${ms} ms`);
}

async function open(browser, file) {
  const page = await browser.newPage();
  const errors = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('requestfailed', (r) => errors.push(`request failed: ${r.url()}`));
  page.on('request', (r) => {
    if (!r.url().startsWith('file:') && !r.url().startsWith('blob:'))
      errors.push(`network request: ${r.url()}`);
  });
  await page.setViewport({ width: 1280, height: 900 });
  await page.goto(`file://${file}`, { waitUntil: 'load' });
  return { page, errors };
}

async function reviewPage(browser) {
  const html = path.join(out, 'exceptions.html');
  const { page, errors } = await open(browser, html);
  const downloads = path.join(work, 'downloads');
  fs.mkdirSync(downloads);
  const cdp = await browser.target().createCDPSession();
  await cdp.send('Browser.setDownloadBehavior', { behavior: 'allow', downloadPath: downloads });

  // Holds first, then warnings; a chart per charted exception.
  const groups = await page.$$eval('main h2[id]', (h) => h.map((x) => x.id));
  assert.deepEqual(groups, ['hold-NEGATIVE', 'warn-GAP_LIKE_DAY', 'warn-LEAK', 'warn-UNKNOWN_METER']);
  const charts = await page.$$eval('tr.exc svg.chart', (s) => s.length);
  assert.equal(charts, 3, 'charts of the three exceptions with stored intervals');
  const lines = await page.$$eval('tr.exc svg.chart polyline', (p) => p.length);
  assert.ok(lines >= 3, `chart lines: ${lines}`);
  const marks = await page.$$eval('tr[id] svg rect.mark', (r) => r.length);
  assert.ok(marks >= 24, `estimated intervals marked: ${marks}`);
  const ids = await page.$$eval('tr.exc', (r) => r.map((x) => x.dataset.id));
  assert.equal(ids.length, 4);
  ids.forEach((id) => assert.match(id, /^EX-[0-9A-HJKMNP-TV-Z]{13}$/));
  if (process.env.BR_SHOT_DIR)
    await page.screenshot({ path: path.join(process.env.BR_SHOT_DIR, 'review-page.png'), fullPage: true });

  // Decisions: release the hold, override the leak, keep the unknown meter.
  const choose = async (id, d, note) => {
    await page.select(`tr[data-id="${id}"] select.decision`, d);
    if (note) await page.type(`tr[data-id="${id}"] input.note`, note);
  };
  await choose(ids[0], 'release', 'checked: meter swap, "negative" read is a test');
  await choose(ids[2], 'override', '');
  await choose(ids[3], 'keep', '');
  assert.equal(await page.$eval('#count', (e) => e.textContent), '3 decisions');
  // Without a reviewer the page refuses and downloads nothing.
  await page.click('#download');
  assert.match(await page.$eval('#msg', (e) => e.textContent), /reviewer missing/);
  await page.type('#reviewer', 'Dana Ortiz');
  await page.type(`tr[data-id="${ids[2]}"] input.rev`, 'Lee');
  await page.click('#download');
  const csv = path.join(downloads, 'dispositions-2026-10.csv');
  await waitFile(csv, 10000);
  const text = fs.readFileSync(csv, 'utf8');
  assert.equal(text,
    'exception_id,decision,reviewer,note\n' +
    `${ids[0]},release,Dana Ortiz,"checked: meter swap, ""negative"" read is a test"\n` +
    `${ids[2]},override,Lee,\n` +
    `${ids[3]},keep,Dana Ortiz,\n`);
  assert.deepEqual(errors, [], 'console errors on the review page');
  await page.close();

  // validate-reads takes the file as it came out of the browser.
  const r = run('validate-reads', ['--db', path.join(out, 'billing.db'), '--cycle', '2026-10',
    '--as-of', '2026-11-02', '--dispositions', csv, '-o', path.join(work, 'exc.csv')]);
  assert.ok(r.status === 0 || r.status === 1, `validate-reads exit ${r.status}: ${r.stderr}`);
  const report = fs.readFileSync(path.join(work, 'exc.csv'), 'utf8');
  assert.match(report, /,NEGATIVE,hold,.*,released\n/);
  assert.match(report, /,LEAK,warn,.*,overridden\n/);
  assert.match(report, /,UNKNOWN_METER,warn,.*,held\n/);
}

async function accountPage(browser) {
  const html = path.join(work, 'A00025.html');
  const r = run('account-view', ['--db', path.join(out, 'billing.db'), '--html', '-o', html, 'A00025']);
  assert.equal(r.status, 0, r.stderr);
  const { page, errors } = await open(browser, html);
  assert.equal(await page.$$eval('svg.chart rect.bar', (b) => b.length), 1);
  assert.ok(await page.$$eval('table', (t) => t.length) >= 7);
  assert.match(await page.$eval('h1', (e) => e.textContent), /^Account A00025/);
  if (process.env.BR_SHOT_DIR)
    await page.screenshot({ path: path.join(process.env.BR_SHOT_DIR, 'account-view.png'), fullPage: true });
  assert.deepEqual(errors, [], 'console errors on the account view');
  await page.close();
}

(async () => {
  let browser;
  try {
    execFileSync(path.join(src, 'scripts', 'run-cycle.sh'),
      ['--bin', bin, '--out', out, path.join(src, 'testdata', 'demo'), '2026-10'],
      { env, stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (e) {
    // run-cycle exits 1 when bills are held: a completed cycle.
    if (e.status !== 1) throw e;
  }
  try {
    browser = await puppeteer.launch({
      executablePath: chromium, headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
    });
    await reviewPage(browser);
    await accountPage(browser);
    console.log('browser: review page and account view ok');
  } finally {
    if (browser) await browser.close();
    fs.rmSync(work, { recursive: true, force: true });
  }
})().catch((e) => {
  console.error(`FAIL: ${e.stack || e}`);
  process.exit(1);
});
