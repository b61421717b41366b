#!/usr/bin/env node
// The web app in a real browser (issue 10): headless Chromium (Debian's `chromium`), driven by
// playwright-core, against a real 4-validator consentd network started here (net.mjs).
//
//   - /ui/ is served with its CSP, / redirects there, traversal and unknown files are refused;
//   - every receipt fixture (tests/fixtures/receipts/manifest.json): valid ones show VALID with
//     every check ✓; each tampered one INVALID, failing the check and reason that both the
//     manifest and the C++ verifier (`consentctl receipt verify --json`) give for that file;
//     a receipt fetched from the live network verifies against its genesis file;
//   - the explorer shows the node's height and follows new blocks (SSE), a consent's timeline;
//   - the auditor's check form gives /v1/check's answer; the CSV and NDJSON downloads are
//     byte for byte the API's export; the token stays in session storage;
//   - zh and en; a phone-sized viewport without horizontal scrolling;
//   - no console errors, no request to any host but the node; a screenshot of each page.
//
// Usage: node tests/web/run.mjs --build BUILD_DIR [--artifacts DIR] [--keep]
// Exit 77 (CTest: skipped) only when /usr/bin/chromium is missing, saying so loudly.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Network } from './net.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const args = process.argv.slice(2);
const opt = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : fallback;
};
const build = path.resolve(opt('--build', path.join(root, 'build-test')));
const ui = path.join(build, 'web', 'ui');
const modules = path.join(build, 'web', 'deps', 'node_modules');
const artifacts = path.resolve(opt('--artifacts', path.join(build, 'web', 'artifacts')));
const keep = args.includes('--keep');
const CHROMIUM = '/usr/bin/chromium';

if (!fs.existsSync(CHROMIUM)) {
  console.log('SKIPPED: web browser tests: ' + CHROMIUM + ' is not installed (Debian package ' +
    '`chromium`, installed by scripts/setup --test where it can be). Nothing in the browser was tested.');
  process.exit(77);
}
for (const [what, p] of [['web app', path.join(ui, 'index.html')], ['playwright-core', path.join(modules, 'playwright-core')],
  ['consentd', path.join(build, 'node', 'consentd')]]) {
  if (!fs.existsSync(p)) {
    console.error('web test: ' + what + ' not built (' + p + '); build the consentd_web target');
    process.exit(1);
  }
}
const { chromium } = await import(path.join(modules, 'playwright-core', 'index.mjs'));
fs.rmSync(artifacts, { recursive: true, force: true });
fs.mkdirSync(artifacts, { recursive: true });

let failures = 0;
let passes = 0;
function check(ok, what, detail = '') {
  if (ok) passes++;
  else {
    failures++;
    console.error('FAIL: ' + what + (detail ? ' (' + detail + ')' : ''));
  }
  return ok;
}
const started = Date.now();
const step = (s) => console.log(`[${((Date.now() - started) / 1000).toFixed(1)}s] ${s}`);

// Polls the page (bounded) until fn() in the page returns something truthy.
async function until(page, fn, arg, what, seconds = 30) {
  try {
    return await page.waitForFunction(fn, arg, { timeout: seconds * 1000, polling: 100 });
  } catch {
    check(false, what, 'timed out after ' + seconds + ' s');
    return null;
  }
}

// Opens a page and waits (bounded) until its script has wired up its forms.
async function open(page, url) {
  await page.goto(url);
  await until(page, () => document.body.dataset.ready === 'true', null, 'page ready: ' + url);
}

const net = new Network({ root, bin: build, ui });
let browser;
try {
  step('starting a 4-validator network on ' + net.url);
  net.start();
  await net.waitForHeight(2);

  // --- The server: redirects, headers, refusals. ---
  const home = await fetch(net.url + '/', { redirect: 'manual' });
  check(home.status === 302 && home.headers.get('location') === '/ui/', 'GET / redirects to /ui/', home.status + ' ' + home.headers.get('location'));
  const index = await net.api('/ui/');
  const csp = index.headers.get('content-security-policy') || '';
  check(index.status === 200 && index.headers.get('content-type').startsWith('text/html'), 'GET /ui/ serves index.html');
  check(csp.includes("connect-src 'self'") && csp.includes("script-src 'self'") && csp.includes("default-src 'none'"), 'the CSP is restrictive', csp);
  check((await net.api('/ui/js/receipt.js')).headers.get('content-type').startsWith('text/javascript'), 'scripts have a JavaScript type');
  for (const bad of ['/ui/%2e%2e/genesis.json', '/ui/../genesis.json', '/ui/..%2fgenesis.json', '/ui/.hidden', '/ui/js/../../x.json']) {
    const r = await new Promise((resolve) => {
      // A raw request: fetch() would normalise the dots away before sending.
      import('node:http').then(({ request }) => {
        const req = request({ host: '127.0.0.1', port: 8901, path: bad }, (res) => {
          let body = '';
          res.on('data', (d) => { body += d; });
          res.on('end', () => resolve({ status: res.statusCode, body }));
        });
        req.on('error', (e) => resolve({ status: 0, body: String(e) }));
        req.end();
      });
    });
    check((r.status === 400 || r.status === 404) && r.body.includes('"error"') && !r.body.includes('validator_key'),
      'refuses ' + bad, r.status + ' ' + r.body.slice(0, 80));
  }
  check((await net.api('/ui/nothing.html')).status === 404, 'a missing file is 404');

  // --- Transactions to look at: a notice, a grant by a customer key, a sharing event. ---
  step('submitting a notice, a consent grant and a sharing event');
  const env = { CUSTOMER_PASS: 'web test passphrase' };
  net.ctl(['key', 'new', '--out', 'customer.json', '--passphrase-env', 'CUSTOMER_PASS'], { env });
  const customer = net.ctl(['key', 'export-public', 'customer.json']).trim();
  const key = (m) => path.join(net.net, 'keys', m + '.json');
  net.ctl(['tx', 'notice.publish', '--controller', 'insurer-a', '--notice-id', '5f0c3a9e21d84b7c96e1a2b3c4d5e6f7', '--version', '1',
    '--notice-hash', 'a'.repeat(64), '--key', key('insurer-a'), '--submit', '--wait']);
  net.ctl(['tx', 'consent.grant', '--controller', 'insurer-a', '--subject', 'key:' + customer,
    '--purposes', 'ClaimsHandling', '--categories', 'Contact', '--recipients', 'processor', '--separate', 'true',
    '--notice', '5f0c3a9e21d84b7c96e1a2b3c4d5e6f7:1', '--collection-method', 'app', '--valid-from', '2026-01-01T00:00:00Z',
    '--valid-until', '2030-01-01T00:00:00Z', '--key', 'customer.json', '--passphrase-env', 'CUSTOMER_PASS',
    '--out', 'grant.json'], { env });
  net.ctl(['tx', 'sign', 'grant.json', '--key', key('insurer-a')]);
  net.ctl(['submit', 'grant.json', '--wait', '--receipt-out', 'grant-receipt.json']);
  const consent = net.ctl(['tx', 'id', 'grant.json']).trim();
  net.ctl(['tx', 'sharing.record', '--sender', 'insurer-a', '--recipient', 'processor', '--subject', 'key:' + customer,
    '--purpose', 'ClaimsHandling', '--categories', 'Contact', '--destination', 'CN', '--legal-basis', 'consent',
    '--shared-at', 'now', '--key', key('insurer-a'), '--submit', '--wait']);
  net.ctl(['tx', 'rights.request', '--controller', 'insurer-a', '--subject', 'key:' + customer, '--kind', 'access',
    '--key', 'customer.json', '--passphrase-env', 'CUSTOMER_PASS', '--submit', '--wait'], { env });
  net.ctl(['tx', 'incident.report', '--controller', 'insurer-a', '--detected-at', '2026-01-01T00:00:00Z',
    '--categories', 'Contact', '--cause', 'lost_device', '--harms', 'low', '--remedies', 'contained',
    '--affected-count', '1', '--affected-commitment', 'b'.repeat(64), '--notice-hash', 'c'.repeat(64),
    '--key', key('insurer-a'), '--submit', '--wait']);
  const soon = Date.now();
  net.ctl(['tx', 'transfer.propose', '--seller', 'insurer-a', '--acquirer', 'insurer-b', '--consents', consent,
    '--effective-at', String(soon + 86400000), '--objection-until', String(soon + 3600000),
    '--manifest-hash', 'd'.repeat(64), '--notice-hash', 'e'.repeat(64),
    '--key', key('insurer-a'), '--key', key('insurer-b'), '--out', 'propose.json']);
  net.ctl(['submit', 'propose.json', '--wait']);
  const transfer = net.ctl(['tx', 'id', 'propose.json']).trim();

  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
  const context = await browser.newContext({ viewport: { width: 1100, height: 900 }, acceptDownloads: true, locale: 'en-US' });
  const consoleErrors = [];
  const foreign = [];
  const nodeOrigin = new URL(net.url).origin;
  context.on('request', (req) => {
    const u = req.url();
    if (u.startsWith('blob:' + nodeOrigin) || u.startsWith('data:')) return;
    if (new URL(u).origin !== nodeOrigin) foreign.push(u);
  });
  const page = await context.newPage();
  page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()); });
  page.on('pageerror', (e) => consoleErrors.push(String(e)));
  const shot = async (name, p = page) => p.screenshot({ path: path.join(artifacts, name + '.png') });

  // --- Home. ---
  await open(page, net.url + '/');
  check(new URL(page.url()).pathname === '/ui/', 'the browser lands on /ui/', page.url());
  await until(page, () => document.querySelector('.cards h2')?.textContent.length > 0, null, 'home page messages load');
  await shot('home');

  // --- Receipt verifier against every fixture, compared with the C++ verifier. ---
  step('verifier: every fixture');
  const fixtures = path.join(root, 'tests', 'fixtures', 'receipts');
  const manifest = JSON.parse(fs.readFileSync(path.join(fixtures, 'manifest.json'), 'utf8'));
  const anchorText = fs.readFileSync(path.join(fixtures, manifest.anchor), 'utf8');
  await open(page, net.url + '/ui/verify.html');
  await until(page, () => document.getElementById('verify')?.textContent.length > 0, null, 'verifier loads');
  const CHECKS = ['format', 'chain', 'validator_set', 'tx', 'merkle_path', 'header_hash', 'certificate'];
  const verifyIn = async (anchor, receipt) => {
    await page.fill('#anchor', anchor);
    await page.fill('#receipt', receipt);
    await page.evaluate(() => { document.getElementById('verdict').dataset.verdict = 'pending'; });
    await page.click('#verify');
    await until(page, () => document.getElementById('verdict').dataset.verdict !== 'pending', null, 'a verdict appears');
    return page.evaluate(() => ({
      verdict: document.getElementById('verdict').dataset.verdict,
      reason: document.getElementById('verdict').dataset.reason,
      word: document.querySelector('#verdict .word')?.textContent,
      checks: [...document.querySelectorAll('#checks li')].map((li) => ({
        check: li.dataset.check, state: li.dataset.state, mark: li.querySelector('.mark').textContent,
        code: li.querySelector('.reason code')?.textContent,
      })),
    }));
  };
  for (const f of manifest.fixtures) {
    const file = path.join(fixtures, f.file);
    let cpp;
    try {
      cpp = JSON.parse(net.ctl(['receipt', 'verify', file, '--anchor', path.join(fixtures, manifest.anchor), '--json']));
    } catch (e) {
      cpp = JSON.parse(e.stdout);  // exit status 1: an invalid receipt
    }
    const got = await verifyIn(anchorText, fs.readFileSync(file, 'utf8'));
    const states = got.checks.map((c) => c.state).join(',');
    check(got.checks.map((c) => c.check).join() === CHECKS.join(), f.file + ': the seven checks are listed in order');
    if (f.expect === 'ok') {
      check(cpp.valid === true, f.file + ': the C++ verifier says valid');
      check(got.verdict === 'valid' && got.word === 'VALID', f.file + ': VALID', JSON.stringify(got.verdict));
      check(got.checks.every((c) => c.state === 'pass' && c.mark === '✓'), f.file + ': every check ✓', states);
    } else {
      const failed = got.checks.filter((c) => c.state === 'fail');
      const at = CHECKS.indexOf(f.check);
      check(got.verdict === 'invalid' && got.word === 'INVALID', f.file + ': INVALID', got.verdict);
      check(failed.length === 1 && failed[0].check === f.check && failed[0].mark === '✗', f.file + ': fails check ' + f.check, states);
      check(got.reason === f.expect && failed[0]?.code === f.expect, f.file + ': reason ' + f.expect, got.reason);
      check(cpp.valid === false && cpp.check === failed[0]?.check && cpp.code === got.reason,
        f.file + ': the same check and reason as the C++ verifier', cpp.check + '/' + cpp.code);
      check(got.checks.every((c, i) => c.state === (i < at ? 'pass' : i === at ? 'fail' : 'skip')),
        f.file + ': checks before pass, checks after are not run', states);
    }
    if (f.file === 'valid-consent-grant.json') await shot('verify-valid');
    if (f.file === 'tampered-cert-too-few.json') await shot('verify-invalid');
  }
  // Once loaded, the verifier needs no network: verify and switch language offline.
  await context.setOffline(true);
  const offline = await verifyIn(anchorText, fs.readFileSync(path.join(fixtures, 'valid-consent-grant.json'), 'utf8'));
  check(offline.verdict === 'valid', 'the verifier works offline once loaded');
  await page.click('#lang-switch');
  await until(page, () => document.querySelector('#verdict .word')?.textContent === '有效', null, 'switching language offline');
  await page.click('#lang-switch');
  await until(page, () => document.querySelector('#verdict .word')?.textContent === 'VALID', null, 'and back, offline');
  await context.setOffline(false);
  const badAnchor = await verifyIn('{"chain_id": "x"}', '{}');
  check(badAnchor.verdict === 'invalid' && (await page.textContent('#verdict')).includes('anchor_invalid'), 'a bad anchor is reported as such');
  const notJson = await verifyIn(anchorText, 'not json');
  check(notJson.reason === 'receipt_malformed' && notJson.checks[0].state === 'fail', 'text that is not JSON is receipt_malformed');

  // A live receipt: anchor = the network's genesis file, the receipt fetched by tx id. Reading
  // a receipt needs a token whose member is a party (the insurer's, in this session; the
  // auditor page's token form is driven below).
  await page.evaluate(() => document.getElementById('summary').replaceChildren());
  await page.fill('#fetch-tx', consent);
  await page.click('#fetch-receipt');
  await until(page, () => document.querySelector('#summary .error code')?.textContent === 'auth_required', null, 'a receipt fetch without a token is refused');
  await page.evaluate((tok) => sessionStorage.setItem('consentd.token', tok), net.tokens['insurer-a'].token);
  await page.fill('#anchor', fs.readFileSync(path.join(net.net, 'genesis.json'), 'utf8'));
  await page.fill('#receipt', '');
  await page.fill('#fetch-tx', consent);
  await page.click('#fetch-receipt');
  await until(page, () => document.getElementById('receipt').value.includes('"certificate"'), null, 'the receipt is fetched');
  await page.evaluate(() => { document.getElementById('verdict').dataset.verdict = 'pending'; });
  await page.click('#verify');
  await until(page, () => document.getElementById('verdict').dataset.verdict !== 'pending', null, 'live receipt verdict');
  check(await page.getAttribute('#verdict', 'data-verdict') === 'valid', 'the live grant receipt verifies against genesis.json');
  check(await page.evaluate(() => localStorage.getItem('consentd.anchor')?.includes('"members"')), 'the anchor is remembered in local storage');
  await shot('verify');

  // Language switch: zh, then back.
  await page.click('#lang-switch');
  await until(page, () => document.documentElement.lang === 'zh-CN' && document.querySelector('#verdict .word')?.textContent === '有效', null, 'the verdict in Chinese');
  await shot('verify-zh');
  await page.click('#lang-switch');
  await until(page, () => document.documentElement.lang === 'en', null, 'back to English');

  // Phone: readable without sideways scrolling.
  const phone = await context.newPage();
  phone.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()); });
  await phone.setViewportSize({ width: 390, height: 844 });
  for (const name of ['verify', 'explorer', 'auditor']) {
    await open(phone, net.url + '/ui/' + name + '.html');
    await until(phone, () => document.querySelector('h1')?.textContent.length > 0, null, name + ' on a phone');
    const wide = await phone.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    check(wide <= 0, name + ' fits a 390 px phone screen', 'overflow ' + wide + ' px');
    // Every control has a label; the first Tab reaches the skip link.
    const unlabelled = await phone.evaluate(() => [...document.querySelectorAll('input, select, textarea')]
      .filter((c) => !c.labels?.length && !c.getAttribute('aria-label')).map((c) => c.id));
    check(unlabelled.length === 0, name + ': every form control has a label', unlabelled.join());
    await phone.keyboard.press('Tab');
    check(await phone.evaluate(() => document.activeElement?.classList.contains('skip')), name + ': Tab first reaches the skip link');
  }
  await open(phone, net.url + '/ui/verify.html');
  await until(phone, () => document.getElementById('anchor').value.length > 0, null, 'phone verifier loads');
  await phone.fill('#anchor', anchorText);
  await phone.fill('#receipt', fs.readFileSync(path.join(fixtures, 'tampered-tx-signature.json'), 'utf8'));
  await phone.click('#verify');
  await until(phone, () => document.getElementById('verdict').dataset.verdict === 'invalid', null, 'phone verdict');
  check(await phone.getAttribute('#verdict', 'data-reason') === 'receipt_tx_bad_signature', 'the phone shows the failing signature');
  await phone.evaluate(() => document.getElementById('result').scrollIntoView());
  await shot('verify-phone', phone);
  await phone.close();

  // --- Explorer: the height follows commits (SSE). ---
  step('explorer');
  await open(page, net.url + '/ui/explorer.html');
  const h0Handle = await until(page, () => Number(document.getElementById('height')?.textContent) || 0, null, 'the explorer shows a height');
  const h0 = h0Handle ? await h0Handle.jsonValue() : 0;
  const apiHeight = JSON.parse((await net.api('/v1/status')).text).height;
  check(h0 >= 1 && h0 <= apiHeight, 'the explorer height is the node height', h0 + ' vs ' + apiHeight);
  await until(page, () => document.getElementById('live')?.dataset.state === 'open', null, 'the event stream is connected');
  await until(page, (h) => Number(document.getElementById('height').textContent) > h, h0, 'the explorer height moves when a block commits');
  // Read together (one task of the page), so a block arriving meanwhile cannot split them.
  const [h1, top] = await page.evaluate(() => [Number(document.getElementById('height').textContent),
    Number(document.querySelector('#blocks tbody tr')?.dataset.height)]);
  const apiAfter = JSON.parse((await net.api('/v1/status')).text).height;
  check(h1 > h0 && h1 <= apiAfter, 'the new height is one the node committed', h1 + ' vs ' + apiAfter);
  check(top === h1, 'the newest block heads the table', top + ' vs ' + h1);
  check((await page.$$('#validators li')).length === 4, 'four validators are listed');
  await shot('explorer');
  await page.fill('#consent-id', consent);
  await page.click('#consent-form button');
  await until(page, () => document.querySelector('#lookup .status') !== null || document.querySelector('#lookup .error') !== null, null, 'consent view');
  check(await page.getAttribute('#lookup .status', 'data-status') === 'Given', 'the consent is Given');
  check((await page.$$('#lookup ol.timeline li[data-type=granted]')).length === 1, 'its timeline shows the grant');
  await shot('explorer-consent');
  await page.fill('#tx-id', consent);
  await page.click('#tx-form button');
  await until(page, () => document.querySelector('#lookup pre.json') !== null, null, 'tx view');
  check((await page.textContent('#lookup')).includes('consent.grant'), 'the tx view shows the grant');

  // --- Auditor. ---
  step('auditor');
  await open(page, net.url + '/ui/auditor.html');
  await until(page, () => document.querySelectorAll('#check-purpose option').length > 0, null, 'auditor loads');
  const auditorToken = net.tokens.auditor.token;
  await page.fill('#token', auditorToken);
  await page.click('#token-form button[type=submit]');
  check(await page.evaluate((tok) => sessionStorage.getItem('consentd.token') === tok && !JSON.stringify(localStorage).includes(tok), auditorToken),
    'the token is in session storage only');
  const ask = async ({ purpose, at }) => {
    await page.fill('#check-subject', 'key:' + customer);
    await page.fill('#check-recipient', 'processor');
    await page.selectOption('#check-purpose', purpose);
    await page.selectOption('#check-categories', ['Contact']);
    await page.fill('#check-at', at || '');
    await page.evaluate(() => document.getElementById('check-result').replaceChildren());
    await page.click('#check-form button[type=submit]');
    await until(page, () => document.querySelector('#check-result .answer, #check-result .error') !== null, null, 'check answer');
    return page.evaluate(() => {
      const a = document.querySelector('#check-result .answer');
      return a ? { allowed: a.dataset.allowed, reason: a.dataset.reason, text: a.textContent } : { error: document.getElementById('check-result').textContent };
    });
  };
  for (const purpose of ['ClaimsHandling', 'Marketing']) {
    const got = await ask({ purpose });
    const api = JSON.parse((await net.api('/v1/check?subject=key:' + customer + '&recipient=processor&purpose=' + purpose + '&category=Contact', { as: 'auditor' })).text);
    check(got.allowed === String(api.allowed) && got.reason === api.reason, 'the check form answers as /v1/check for ' + purpose, JSON.stringify(got) + ' vs ' + JSON.stringify(api));
    check(api.allowed === (purpose === 'ClaimsHandling'), 'the check answer is right for ' + purpose, api.reason);
    if (api.allowed) check(got.text.includes(consent), 'the justifying consent is shown');
    if (purpose === 'ClaimsHandling') await shot('auditor-check');
  }
  // At a time T before the grant was recorded: the form sends T, the answer is the API's for T.
  const before = await ask({ purpose: 'ClaimsHandling', at: '2025-06-01T00:00:00' });
  const apiBefore = JSON.parse((await net.api('/v1/check?subject=key:' + customer + '&recipient=processor&purpose=ClaimsHandling&category=Contact&at=' +
    Date.parse('2025-06-01T00:00:00Z'), { as: 'auditor' })).text);
  check(apiBefore.allowed === false && before.allowed === 'false' && before.reason === apiBefore.reason,
    'at a time T before the consent: not lawful, as /v1/check says', JSON.stringify(before) + ' vs ' + apiBefore.reason);

  // Downloads equal the API's export over the same range.
  const head = JSON.parse((await net.api('/v1/status')).text).height;
  await page.fill('#audit-from', '1');
  await page.fill('#audit-to', String(head));
  await page.click('#audit-form button[type=submit]');
  await until(page, () => document.querySelector('#audit-result tbody tr') !== null, null, 'audit log rows');
  check((await page.textContent('#audit-result')).includes('consent.grant'), 'the audit log lists the grant');
  for (const format of ['csv', 'ndjson']) {
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#download-' + format)]);
    const saved = path.join(artifacts, 'audit-log.' + format);
    await download.saveAs(saved);
    const got = fs.readFileSync(saved);
    const api = await fetch(net.url + '/v1/audit/log?from_height=1&to_height=' + head + '&format=' + format,
      { headers: { Authorization: 'Bearer ' + auditorToken } });
    const want = Buffer.from(await api.arrayBuffer());
    check(api.status === 200 && want.includes(consent), 'the API export of ' + format + ' holds the grant');
    check(download.suggestedFilename() === 'audit-log.' + format, format + ' download name');
    check(Buffer.compare(got, want) === 0, 'the ' + format + ' download equals the API export', got.length + ' vs ' + want.length + ' bytes');
  }
  await page.selectOption('#audit-type', 'sharing.record');
  await page.click('#audit-form button[type=submit]');
  await until(page, () => document.querySelectorAll('#audit-result tbody tr').length === 1, null, 'filtered by type: one sharing event');
  // Rights requests (open, then overdue) and incidents: the rows the API lists.
  for (const status of ['overdue', 'open']) {
    await page.evaluate(() => document.getElementById('rights-result').replaceChildren());
    await page.selectOption('#rights-status', status);
    await page.click('#rights-form button');
    await until(page, () => document.querySelector('#rights-result p, #rights-result table') !== null, null, status + ' rights requests');
    const rows = await page.$$eval('#rights-result tbody tr', (trs) => trs.map((tr) => [...tr.cells].map((td) => td.textContent)));
    const api = JSON.parse((await net.api('/v1/rights?limit=100&status=' + status, { as: 'auditor' })).text).items;
    check(rows.length === api.length && rows.every((r, i) => r[1] === api[i].controller && r[2] === api[i].kind),
      'the ' + status + ' rights requests are the API\'s', JSON.stringify(rows));
    if (status === 'open') check(rows.some((r) => r[1] === 'insurer-a' && r[2] === 'access'), 'the open access request is listed');
  }
  await page.click('#incidents-form button');
  await until(page, () => document.querySelector('#incidents-result p, #incidents-result table') !== null, null, 'incidents');
  const incidents = await page.$$eval('#incidents-result tbody tr', (trs) => trs.map((tr) => [...tr.cells].map((td) => td.textContent)));
  check(incidents.length === 1 && incidents[0][1] === 'insurer-a' && incidents[0][2] === 'lost_device', 'the incident is listed', JSON.stringify(incidents));
  // Transfers, and one transfer's dossier with its CSV as the API sends it.
  await page.click('#transfers-form button');
  await until(page, () => document.querySelector('#transfers-result p, #transfers-result table') !== null, null, 'transfers');
  const transferRows = await page.$$eval('#transfers-result tbody tr', (trs) => trs.map((tr) => [...tr.cells].map((td) => td.textContent)));
  check(transferRows.length === 1 && transferRows[0][1] === 'insurer-a' && transferRows[0][2] === 'insurer-b' &&
    transferRows[0][3] === 'proposed', 'the transfer is listed', JSON.stringify(transferRows));
  await page.click('#transfers-result button[data-transfer]');
  await until(page, () => document.querySelector('#dossier-result table') !== null, null, 'the dossier');
  const steps = await page.$$eval('#dossier-result tbody tr', (trs) => trs.map((tr) => tr.cells[0].textContent));
  check(steps.join() === 'propose', 'the dossier lists the transfer\'s steps', JSON.stringify(steps));
  {
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#dossier-csv')]);
    const saved = path.join(artifacts, 'dossier.csv');
    await download.saveAs(saved);
    const api = await fetch(net.url + '/v1/transfers/' + transfer + '?format=csv', { headers: { Authorization: 'Bearer ' + auditorToken } });
    // The second line is the answer's time and height, which move on with the chain.
    const body = (text) => text.split('\r\n').filter((_, i) => i !== 1).join('\r\n');
    const want = await api.text();
    check(api.status === 200 && want.includes('step,propose,'), 'the API dossier CSV has the proposal', want.slice(0, 200));
    check(body(fs.readFileSync(saved, 'utf8')) === body(want), 'the dossier download equals the API\'s CSV');
  }
  await shot('auditor');
  await page.click('#lang-switch');
  await until(page, () => document.documentElement.lang === 'zh-CN', null, 'auditor in Chinese');
  // Answers already on screen change language too (the last check asked was not lawful).
  await until(page, () => document.querySelector('#check-result .big')?.textContent.includes('不合法') &&
    document.querySelector('#incidents-result th')?.textContent === '报告时间', null, 'answers on screen switch to Chinese');
  await shot('auditor-zh');

  // A subject's history with the token from this session.
  await open(page, net.url + '/ui/explorer.html');
  await page.fill('#subject', 'key:' + customer);
  await page.click('#subject-form button');
  await until(page, () => document.querySelector('#subject-history table, #subject-history .error') !== null, null, 'subject history');
  const kinds = await page.$$eval('#subject-history tbody tr td:nth-child(3)', (tds) => tds.map((td) => td.textContent));
  check(kinds.includes('consent.granted') && kinds.includes('sharing'), 'the subject history shows the grant and the sharing', kinds.join());
  await shot('explorer-subject');
  await page.click('#lang-switch');  // back to English for whoever looks next

  check(consoleErrors.length === 0, 'no console errors', consoleErrors.join(' | '));
  check(foreign.length === 0, 'no request to a host other than the node', foreign.join(' '));
  await browser.close();
  browser = null;
} catch (e) {
  check(false, 'the test ran to its end', e.stack || String(e));
} finally {
  if (browser) await browser.close().catch(() => {});
  await net.stop();
  net.cleanup(keep || failures > 0);
}
step(`${passes} checks passed, ${failures} failed; screenshots in ${artifacts}` + (failures ? '; network kept in ' + net.dir : ''));
process.exit(failures === 0 ? 0 : 1);
