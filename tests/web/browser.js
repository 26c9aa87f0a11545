/* browser.js — the HQ dashboard in Chromium: sign in, the plan, the findings
 * filtered, one finding opened, the problem ledger filtered and an entry
 * moved along, an objection decided, the reports and one downloaded, the
 * admin's users page;
 * at 1280×800 and at a 390 px phone width. Usage: node browser.js URL CHROMIUM SCREENSHOT-DIR PROFILE-DIR
 */
'use strict';

const assert = require('assert');
const fs = require('fs');
const path = require('path');
const puppeteer = require('puppeteer-core');

const [url, chromium, shots, profile] = process.argv.slice(2);
const PASSWORD = 'correct-horse-9';
let checks = 0;

function check(cond, what) {
  assert.ok(cond, what);
  checks++;
}

async function ready(page, hash) {
  try {
    await page.waitForFunction(h => document.body.dataset.ready === h, { timeout: 15000 }, hash);
  } catch (e) {
    const state = await page.evaluate(() => `ready=${document.body.dataset.ready} hash=${location.hash} ` +
                                            `status=${document.getElementById('status').textContent}`);
    await page.screenshot({ path: path.join(shots, 'web-failed.png'), fullPage: true });
    throw new Error(`waiting for ${hash}: ${state} (see web-failed.png)`);
  }
}

async function shot(page, name) {
  const file = path.join(shots, `web-${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  console.log(`screenshot ${file}`);
}

async function text(page, selector) {
  return page.$eval(selector, e => e.innerText);
}

async function readyPrefix(page, prefix) {
  await page.waitForFunction(p => (document.body.dataset.ready || '').startsWith(p), { timeout: 15000 }, prefix);
}

const SHA = 'ee975c4ee1a668e65f713304b7ad429117f729fdfc05020fa2cdf359822bb4a8';

/* Clicks @selector and waits for the file Chromium saves (CDP's download
 * events): its path. */
async function download(page, selector) {
  const dir = path.join(path.dirname(profile), 'downloads');
  fs.mkdirSync(dir, { recursive: true });
  const cdp = await page.createCDPSession();
  await cdp.send('Browser.setDownloadBehavior', { behavior: 'allow', downloadPath: dir, eventsEnabled: true });
  let timer;
  const saved = new Promise((resolve, reject) => {
    let name = null;
    cdp.on('Browser.downloadWillBegin', e => { name = e.suggestedFilename; });
    cdp.on('Browser.downloadProgress', e => {
      if (e.state === 'completed') resolve(name);
      else if (e.state === 'canceled') reject(new Error('the download was canceled'));
    });
    timer = setTimeout(() => reject(new Error('no download within 15 s')), 15000);
  });
  try {
    await page.click(selector);
    return path.join(dir, await saved);
  } finally {
    clearTimeout(timer);
    await cdp.detach();
  }
}

/* Submits the entry's form and waits for the page drawn again. */
async function moveEntry(page, fill) {
  const before = (await page.$$('#entry-body .history tbody tr')).length;
  await fill();
  await page.click('#entry-form button[type=submit]');
  await page.waitForFunction(n => document.querySelectorAll('#entry-body .history tbody tr').length > n ||
                                  document.getElementById('entry-error')?.textContent, { timeout: 15000 }, before);
  check(await page.$eval('#entry-error', e => e.textContent === '').catch(() => true), 'the change is accepted');
  check((await page.$$('#entry-body .history tbody tr')).length === before + 1, 'the signed history grows by one row');
}

/* 问题台账, 异议处理, 统计报表 as the admin (a reviewer and more). */
async function ledgerPages(page, prefix) {
  await page.goto(url + '/#ledger');
  await ready(page, '#ledger');
  let ledger = await text(page, '#ledger-body');
  check((await page.$$('#ledger-body tbody tr.clickable')).length === (prefix === '' ? 1 : 2),
        'the confirmed finding (and the objection rejected in part) in the ledger');
  check(ledger.includes('康宁大药房') && ledger.includes('¥1,244.50'), 'the entry’s institution and amount');
  await shot(page, prefix + 'ledger');
  if (prefix === '') {
    check(ledger.includes('待整改'), 'a new entry is open');
    await page.select('#ledger-status', 'verified');
    await page.click('#ledger-filter button[type=submit]');
    await ready(page, '#ledger?status=verified');
    check((await text(page, '#ledger-body')).includes('暂无记录'), 'no verified entries yet');
    await page.select('#ledger-status', 'open');
    await page.type('#ledger-county', '小店区');
    await page.click('#ledger-filter button[type=submit]');
    await readyPrefix(page, '#ledger?county=');
    check((await page.$$('#ledger-body tbody tr.clickable')).length === 1, 'one open entry in 小店区');
    const csv = new URL(await page.$eval('#ledger-download', a => a.href));
    check(csv.pathname === '/api/ledger/export' && csv.searchParams.get('county') === '小店区' &&
          csv.searchParams.get('status') === 'open' && !csv.searchParams.has('limit'),
          'the ledger’s CSV is the filter applied, every page');
    await shot(page, 'ledger-filtered');
  }
  await page.click('#ledger-body tbody tr.clickable');
  await readyPrefix(page, '#entry/');
  const entry = await text(page, '#entry-body');
  check(entry.includes('p21.1.1') && entry.includes('签名历史') && entry.includes('登记入账'), 'the entry, its items and its history');
  if (prefix === '') {
    check(await page.$('#entry-form') !== null, 'a reviewer may move the entry');
    await moveEntry(page, async () => {
      await page.select('#entry-status', 'rectifying');
      await page.$eval('#entry-deadline', e => { e.value = '2027-01-15'; });
    });
    check((await text(page, '#entry-body')).includes('整改中'), 'open → rectifying');
    await moveEntry(page, async () => {
      await page.select('#entry-status', 'rectified');
      await page.type('#entry-note', '已退回违规费用');
      await page.type('#entry-evidence', SHA);
    });
    const moved = await text(page, '#entry-body');
    check(moved.includes('已整改') && moved.includes(SHA) && moved.includes('王主任'), 'rectified, with evidence, signed by who');
    await page.type('#entry-recovered', '12.345');
    await page.click('#entry-form button[type=submit]');
    await page.waitForFunction(() => document.getElementById('entry-error').textContent !== '');
    check((await text(page, '#entry-error')).includes('变更失败'), 'a value HQ refuses is told');
    await page.$eval('#entry-recovered', e => { e.value = ''; });
  }
  await shot(page, prefix + 'ledger-entry');

  await page.goto(url + '/#objections');
  await ready(page, '#objections');
  const objections = await text(page, '#objections-body');
  check(objections.includes('刘院长') && objections.includes('收费有医嘱依据'), 'the objection and the representative’s reason');
  if (prefix === '') {
    check((await page.$$('#objections-body form.decision')).length === 1, 'a decision form for the open objection');
    await page.select('#objections-body form.decision select[name=decision]', 'partial');
    await page.type('#objections-body form.decision input[name=amount]', '30000');
    await page.type('#objections-body form.decision textarea[name=reason]', '部分检查项目有医嘱依据');
    await page.click('#objections-body form.decision button[type=submit]');
    /* Drawn again once decided: no form left (its own label says 维持金额 too). */
    await page.waitForFunction(() => document.querySelector('#objections-body form.decision') === null &&
                                     document.getElementById('objections-body').innerText.includes('部分成立'),
                               { timeout: 15000 });
  }
  const decided = await text(page, '#objections-body');
  check(decided.includes('部分成立') && decided.includes('¥30,000.00') && decided.includes('台账 #2'),
        'decided in part: an entry with the amount that stands');
  check((await page.$$('#objections-body form.decision')).length === 0 && !decided.includes('null'),
        'no form once decided, and nothing left over');
  await shot(page, prefix + 'objections');

  if (prefix === '') {
    /* The new entry's deadline moved into the past: overdue, highlighted. */
    await page.goto(url + '/#entry/2');
    await ready(page, '#entry/2');
    await moveEntry(page, async () => { await page.$eval('#entry-deadline', e => { e.value = '2020-01-01'; }); });
    check((await text(page, '#entry-body')).includes('已逾期'), 'a deadline past is told');
    await page.goto(url + '/#ledger');
    await ready(page, '#ledger');
    await page.click('#ledger-overdue');
    await page.click('#ledger-filter button[type=submit]');
    await ready(page, '#ledger?overdue=1');
    check((await page.$$('#ledger-body tbody tr.clickable')).length === 1 &&
          (await page.$$('#ledger-body tbody tr.overdue')).length === 1, 'one overdue entry, highlighted');
    check((await text(page, '#ledger-body')).includes('逾期 1 条'), 'the overdue count');
    await shot(page, 'ledger-overdue');
  }

  await page.goto(url + '/#reports');
  await ready(page, '#reports');
  const report = await text(page, '#reports-body');
  check(report.includes('小店区') && report.includes('迎泽区') && report.includes('合计'), 'the report by county');
  check((await page.$$('#reports-body svg rect')).length === 6, 'three charts, a bar per county');
  const buttons = await page.$$eval('#report-downloads a', as => as.map(a => [a.textContent, a.getAttribute('href')]));
  check(JSON.stringify(buttons) === JSON.stringify([
    ['下载 CSV', '/api/reports/export?by=county&format=csv'],
    ['下载 Excel', '/api/reports/export?by=county&format=xlsx'],
    ['下载 PDF', '/api/reports/export?by=county&format=pdf']]), 'the three downloads: ' + JSON.stringify(buttons));
  await shot(page, prefix + 'reports');
  if (prefix === '') {
    const day = report.match(/统计日 (\d{4}-\d\d-\d\d)/)[1];
    const file = await download(page, '#report-downloads a[data-format=xlsx]');
    const bytes = fs.readFileSync(file);
    check(path.basename(file) === `问题台账汇总（按区县）${day}.xlsx`, 'saved under its Chinese name: ' + path.basename(file));
    check(bytes.length > 1000 && bytes.subarray(0, 4).equals(Buffer.from('PK\x03\x04', 'latin1')), 'an XLSX (a zip)');
    check(await page.evaluate(() => location.hash) === '#reports', 'the page stays where it was');
  }
  await page.click('#reports-tabs a[href="#reports?by=type"]');
  await ready(page, '#reports?by=type');
  check((await text(page, '#reports-body')).includes('定点零售药店'), 'the report by institution type');
  check((await page.$eval('#report-downloads a[data-format=pdf]', a => a.getAttribute('href'))) ===
        '/api/reports/export?by=type&format=pdf', 'the downloads follow the tab');
  if (prefix === '') await shot(page, 'reports-type');
}

async function signIn(page, name, password) {
  await page.$eval('#login-name', e => { e.value = ''; });
  await page.$eval('#login-password', e => { e.value = ''; });
  await page.type('#login-name', name);
  await page.type('#login-password', password);
  await page.click('#login-form button[type=submit]');
}

async function run(browser, width, height, prefix) {
  const page = await browser.newPage();
  const errors = [];
  page.on('pageerror', e => errors.push(e.message));
  /* 401s are how the page learns nobody is signed in; the browser logs
   * each as "Failed to load resource". Server faults and script errors count. */
  page.on('console', m => {
    if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) errors.push(m.text());
  });
  page.on('response', r => { if (r.status() >= 500) errors.push(`${r.status()} from ${r.url()}`); });
  page.on('request', r => {
    /* data: URLs are Chromium's own (the date input's calendar icon). */
    const u = new URL(r.url());
    if (u.protocol !== 'data:' && u.hostname !== '127.0.0.1') errors.push(`a request off this machine: ${r.url()}`);
  });
  await page.setViewport({ width, height });

  await page.goto(url + '/', { waitUntil: 'networkidle0' });
  await ready(page, 'login');
  check(await page.$eval('#page-login', e => !e.hidden), 'the sign-in page shows first');
  if (prefix === '') {
    await signIn(page, '王主任', 'wrong-password');
    await page.waitForFunction(() => document.getElementById('login-error').textContent !== '');
    check((await text(page, '#login-error')).includes('用户名或密码错误'), 'a wrong password is told in Chinese');
    await shot(page, 'login');
  }
  await signIn(page, '王主任', PASSWORD);
  await ready(page, '#findings');
  check((await text(page, '#who-name')).includes('王主任（管理员）'), 'who is signed in');
  check((await page.$$('#findings-body tbody tr')).length === 2, 'both findings listed');
  check((await page.$$('#charts svg rect')).length === 4, 'two bars per chart, one per county');
  const charts = await text(page, '#charts');
  check(charts.includes('小店区') && charts.includes('迎泽区'), 'the charts name the counties');
  await shot(page, prefix + 'findings');

  /* Filter: disputed findings only. */
  await page.select('#filter-status', 'disputed');
  await page.click('#filter button[type=submit]');
  await ready(page, '#findings?status=disputed');
  const rows = await page.$$('#findings-body tbody tr');
  check(rows.length === 1, 'one disputed finding');
  check((await text(page, '#findings-body')).includes('迎泽区人民医院'), 'the disputed finding is the hospital’s');
  await shot(page, prefix + 'findings-disputed');

  /* The disputed finding: the representative's reason is shown. */
  await page.click('#findings-body tbody tr');
  await page.waitForFunction(() => (document.body.dataset.ready || '').startsWith('#finding/'), { timeout: 15000 });
  const disputed = await text(page, '#finding-body');
  check(disputed.includes('有异议') && disputed.includes('刘院长') && disputed.includes('收费有医嘱依据'),
        'a dispute with its reason');
  await shot(page, prefix + 'finding-disputed');
  await page.goto(url + '/#findings');
  await ready(page, '#findings');

  /* Back to all, by institution, and open the pharmacy's finding. */
  await page.select('#filter-status', '');
  await page.$eval('#filter-institution', e => { e.value = ''; });
  await page.type('#filter-institution', 'P14110200017');
  await page.click('#filter button[type=submit]');
  await ready(page, '#findings?institution=P14110200017');
  check((await page.$$('#findings-body tbody tr')).length === 1, 'one finding at P14110200017');
  await page.click('#findings-body tbody tr');
  await page.waitForFunction(() => (document.body.dataset.ready || '').startsWith('#finding/'), { timeout: 15000 });
  const detail = await text(page, '#finding-body');
  check(detail.includes('康宁大药房') && detail.includes('已确认') && detail.includes('王芳'), 'the finding and its confirmation');
  check(detail.includes('p21.1.1') && detail.includes('¥1,244.50'), 'its items and amount');
  check(detail.includes('完整且已核验'), 'its evidence is complete at HQ');
  check(!detail.includes('未通过') && (detail.match(/通过/g) || []).length >= 3, 'every signature check passes');
  await shot(page, prefix + 'finding');

  await page.goto(url + '/#plan');
  await ready(page, '#plan');
  const plan = await text(page, '#plan-body');
  check(plan.includes('20211001') && plan.includes('康宁大药房'), 'the plan shows its seed and assignments');
  await shot(page, prefix + 'plan');
  await ledgerPages(page, prefix);

  if (prefix === '') {
    await page.goto(url + '/#rejections');
    await ready(page, '#rejections');
    check((await text(page, '#rejections-body')).includes('暂无记录'), 'no rejections');
    await shot(page, 'rejections');
    await page.goto(url + '/#users');
    await ready(page, '#users');
    await page.type('#user-name', '周新');
    await page.type('#user-password', 'another-pass-1');
    await page.click('#user-form button[type=submit]');
    await page.waitForFunction(() => document.getElementById('users-body').innerText.includes('周新'));
    check((await text(page, '#users-body')).includes('分析员'), 'a new analyst is listed');
    check((await text(page, '#audit-body')).includes('登录失败'), 'the audit shows the failed sign-in');
    page.once('dialog', d => d.accept());
    const rowOf周新 = await page.$$eval('#users-body tbody tr', rows => rows.findIndex(r => r.innerText.includes('周新')));
    await page.click(`#users-body tbody tr:nth-child(${rowOf周新 + 1}) button`);
    await page.waitForFunction(() => document.getElementById('users-body').innerText.includes('已停用'));
    check(true, 'an account disabled from the page');
    await shot(page, 'users');
    await page.click('#logout');
    await ready(page, 'login');
    check(await page.$eval('#top', e => e.hidden), 'signed out: the header is gone');
  } else {
    /* A reviewer has no users page. */
    await page.click('#logout');
    await ready(page, 'login');
    await signIn(page, '李审核', PASSWORD);
    await ready(page, '#findings');
    check(await page.$eval('#nav a[data-page=users]', e => e.hidden), 'no users link for a reviewer');
    await page.goto(url + '/#users');
    await page.waitForFunction(() => document.getElementById('status').textContent !== '');
    check((await text(page, '#status')).includes('无权访问'), 'a reviewer is refused the users page');
    /* The reviewer verifies the rectified entry: it is final then. */
    await page.goto(url + '/#entry/1');
    await ready(page, '#entry/1');
    await moveEntry(page, async () => {
      await page.select('#entry-status', 'verified');
      await page.type('#entry-recovered', '1244.50');
    });
    const verified = await text(page, '#entry-body');
    check(verified.includes('已核验') && verified.includes('已办结') && verified.includes('李审核'), 'verified by the reviewer, final');
    /* An analyst reads the ledger but has no form to move it. */
    await page.click('#logout');
    await ready(page, 'login');
    await signIn(page, '张分析', PASSWORD);
    await ready(page, '#findings');
    await page.goto(url + '/#entry/2');
    await ready(page, '#entry/2');
    check(await page.$('#entry-form') === null && !(await text(page, '#entry-body')).includes('推进整改'),
          'no form for an analyst');
    await page.goto(url + '/#objections');
    await ready(page, '#objections');
    check((await page.$$('#objections-body form')).length === 0, 'no decision form for an analyst');
  }
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  check(overflow <= 0, `nothing wider than the ${width} px window (by ${overflow} px)`);
  check(errors.length === 0, 'no errors in the page: ' + errors.join('; '));
  await page.close();
}

(async () => {
  fs.mkdirSync(shots, { recursive: true });
  const browser = await puppeteer.launch({
    executablePath: chromium,
    headless: true,
    userDataDir: profile,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
           '--disable-component-update', '--disable-sync', '--no-first-run', '--lang=zh-CN'],
  });
  try {
    await run(browser, 1280, 800, '');
    await run(browser, 390, 844, 'phone-');
  } finally {
    await browser.close();
  }
  console.log(`browser: ${checks} checks passed`);
})().catch(e => {
  console.error(`browser: FAILED: ${e.message}`);
  process.exit(1);
});
