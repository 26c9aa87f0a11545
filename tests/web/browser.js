/* browser.js — the HQ dashboard in Chromium: sign in, the plan, the findings
 * filtered, one finding opened, the admin's users page; at 1280×800 and at a
 * 390 px phone width. Usage: node browser.js URL CHROMIUM SCREENSHOT-DIR PROFILE-DIR
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
    const host = new URL(r.url()).hostname;
    if (host !== '127.0.0.1') errors.push(`a request off this machine: ${r.url()}`);
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
