/* app.js — 检查 · 总部工作台: the pages, over /api (jc-hq-web-api.h); the
 * ledger's, objections' and reports' pages are in ledger.js */
'use strict';

const STATUS_TEXT = { unconfirmed: '待确认', confirmed: '已确认', disputed: '有异议', refused: '拒绝签字' };
const ROLE_TEXT = { analyst: '分析员', reviewer: '审核员', admin: '管理员' };
const ROLE_RANK = { analyst: 1, reviewer: 2, admin: 3 };
const TYPE_TEXT = { hospital: '定点医疗机构', pharmacy: '定点零售药店', agency: '医保经办机构' };
const REASON_TEXT = { rate: '按比例随机抽取', top30: '基金支付额前30位', all: '全部检查' };
const CHECK_TEXT = { record: '记录摘要（声明9）', seal: '封存签名', confirmation: '确认签名', institution: '机构签名' };
/* What each check means, in the users' words; HQ's own message follows. */
const CHECK_MEANING = {
  record: ['记录的 SHA-256 与封存时的摘要一致', '记录的 SHA-256 与封存时的摘要不一致：记录被改动'],
  seal: ['封存事件的 Ed25519 签名经检查设备密钥验证有效', '封存事件的签名无效或与记录不符'],
  confirmation: ['机构确认事件的签名经设备密钥验证有效', '机构确认事件的签名无效'],
  institution: ['机构以自己的密钥对声明9的签名有效', '机构对声明9的签名无效'],
};

/* The team is kept as JSON text: ["张伟","李娜"]. */
function team(text) {
  try {
    const list = JSON.parse(text);
    if (Array.isArray(list)) return list.join('、');
  } catch (e) { /* plain text: shown as it is */ }
  return text || '';
}

const ACTION_TEXT = {
  'login': '登录', 'login-failed': '登录失败', 'login-refused': '登录被限制', 'logout': '退出登录',
  'GET /api/session': '查看登录状态', 'GET /api/plan': '查看抽查计划', 'GET /api/findings': '查看检查发现',
  'GET /api/stats/counties': '查看区县统计', 'GET /api/rejections': '查看拒收记录', 'GET /api/users': '查看用户',
  'POST /api/users': '添加用户', 'POST /api/users/disable': '停用用户', 'GET /api/audit': '查看访问审计',
  'GET /api/ledger': '查看问题台账', 'GET /api/objections': '查看异议', 'GET /api/reports': '查看统计报表',
  'GET /api/reports/export': '下载统计报表', 'GET /api/ledger/export': '下载问题台账',
};

function action(text) {
  const known = ACTION_TEXT[text] || (text.startsWith('GET /api/findings/') ? '查看检查发现详情'
    : text.startsWith('GET /api/ledger/') ? '查看台账条目' : text.startsWith('POST /api/ledger/') ? '变更台账条目'
    : text.startsWith('POST /api/objections/') ? '决定异议' : null);
  return known ? el('span', { title: text }, known) : text;
}

let session = null;

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === 'class') node.className = v;
    else if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v);
  }
  for (const c of children)
    if (c !== null && c !== undefined)
      node.appendChild(typeof c === 'string' || typeof c === 'number' ? document.createTextNode(String(c)) : c);
  return node;
}

function yuan(fen) {
  if (fen === null || fen === undefined) return '—';
  return '¥' + (fen / 100).toLocaleString('zh-CN', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
}

function when(seconds) {
  if (!seconds) return '—';
  const d = new Date(seconds * 1000);
  const p = n => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}`;
}

function badge(status) {
  return el('span', { class: 'badge ' + status }, STATUS_TEXT[status] || status);
}

function showStatus(text) {
  document.getElementById('status').textContent = text || '';
}

async function api(method, path, body) {
  const opts = { method, headers: {}, credentials: 'same-origin' };
  if (body !== undefined) {
    opts.headers['Content-Type'] = 'application/json';
    opts.body = JSON.stringify(body);
  }
  if (method === 'POST' && session)
    opts.headers['X-CSRF-Token'] = session.csrf;
  const res = await fetch(path, opts);
  const data = await res.json().catch(() => ({ error: res.statusText }));
  /* A session that ended (expired, signed out elsewhere): back to sign-in. */
  if (res.status === 401 && session && path !== '/api/login') {
    session = null;
    route();
  }
  if (!res.ok) {
    const err = new Error(data.error || res.statusText);
    err.status = res.status;
    throw err;
  }
  return data;
}

function table(columns, rows, onRow) {
  const head = el('tr', null, ...columns.map(c => el('th', c.num ? { class: 'num' } : null, c.title)));
  const body = rows.map(r => {
    const tr = el('tr', onRow ? { class: 'clickable', tabindex: '0' } : null,
      ...columns.map(c => {
        const v = c.value(r);
        return el('td', { class: c.num ? 'num' : (c.hash ? 'hash' : ''), 'data-label': c.title },
                  v instanceof Node ? v : String(v ?? ''));
      }));
    if (onRow) {
      tr.addEventListener('click', () => onRow(r));
      tr.addEventListener('keydown', e => { if (e.key === 'Enter') onRow(r); });
    }
    return tr;
  });
  if (rows.length === 0)
    body.push(el('tr', null, el('td', { colspan: String(columns.length), class: 'muted' }, '暂无记录')));
  return el('div', { class: 'table-wrap' },
            el('table', { class: 'stack' }, el('thead', null, head), el('tbody', null, ...body)));
}

function replace(id, ...nodes) {
  const box = document.getElementById(id);
  box.replaceChildren(...nodes.filter(n => n !== null && n !== undefined));
}

/* ---- pages ---- */

async function pagePlan() {
  const { plan } = await api('GET', '/api/plan');
  if (!plan) {
    replace('plan-body', el('p', { class: 'muted' }, '尚未抽取计划：在总部运行 jiancha-hq plan draw --seed 种子。'));
    return;
  }
  const doc = plan.document;
  replace('plan-body',
    el('div', { class: 'card' },
      el('dl', { class: 'facts' },
        el('dt', null, '随机种子（公开）'), el('dd', { class: 'seed' }, String(doc.seed)),
        el('dt', null, '计划编号'), el('dd', null, plan.plan_id),
        el('dt', null, '抽取时间'), el('dd', null, when(plan.created)),
        el('dt', null, '检查对象名录摘要'), el('dd', { class: 'hash' }, doc.directory),
        el('dt', null, '检查人员名录摘要'), el('dd', { class: 'hash' }, doc.roster),
        el('dt', null, '每组人数'), el('dd', null, String(doc.team_size)))),
    el('h3', null, '各区县抽取比例'),
    table([
      { title: '区县', value: c => c.county },
      { title: '类型', value: c => (TYPE_TEXT[c.type] || c.type) + (c.level ? `（${c.level}级）` : '') },
      { title: '名录数', num: true, value: c => c.total },
      { title: '抽取数', num: true, value: c => c.drawn },
    ], doc.counts || []),
    el('h3', null, `抽中 ${doc.assignments.length} 家机构`),
    table([
      { title: '机构编码', value: a => a.code },
      { title: '机构名称', value: a => a.name },
      { title: '区县', value: a => a.county },
      { title: '类型', value: a => TYPE_TEXT[a.type] || a.type },
      { title: '抽取方式', value: a => REASON_TEXT[a.reason] || a.reason },
      { title: '检查组', value: a => (a.team || []).map(m => typeof m === 'string' ? m : m.name).join('、') },
    ], doc.assignments));
}

async function pageFindings() {
  const params = new URLSearchParams(location.hash.split('?')[1] || '');
  document.getElementById('filter-institution').value = params.get('institution') || '';
  document.getElementById('filter-status').value = params.get('status') || '';
  const [rows, counties] = await Promise.all([
    api('GET', '/api/findings?' + params.toString()),
    api('GET', '/api/stats/counties'),
  ]);
  const label = c => c.county || '名录外';
  replace('charts',
    JcCharts.barChart('各区县检查发现数', counties.map(c => ({ label: label(c), value: c.findings })),
                      'bar-count', v => `${v} 项`),
    JcCharts.barChart('各区县涉及金额', counties.map(c => ({ label: label(c), value: c.amount_fen || 0 })),
                      'bar-amount', yuan));
  replace('findings-body',
    el('p', { class: 'muted' }, `共 ${rows.length} 项`),
    table([
      { title: '机构', value: f => `${f.name || ''}（${f.institution}）` },
      { title: '检查日期', value: f => f.date || '' },
      { title: '违规条目', value: f => f.items || '' },
      { title: '涉及金额', num: true, value: f => yuan(f.amount_fen) },
      { title: '确认状态', value: f => badge(f.status) },
      { title: '封存时间', value: f => when(f.sealed_at) },
    ], rows, f => { location.hash = '#finding/' + f.finding; }));
}

function checkRow(name, check) {
  return el('tr', null,
    el('td', { 'data-label': '核验项' }, CHECK_TEXT[name] || name),
    el('td', { 'data-label': '结果' }, el('span', { class: 'badge ' + (check.ok ? 'ok' : 'bad') },
                                         check.ok ? '通过' : '未通过')),
    el('td', { 'data-label': '说明' },
       el('div', null, (CHECK_MEANING[name] || ['', ''])[check.ok ? 0 : 1],
          el('span', { class: 'check-detail' }, check.detail))));
}

async function pageFinding(id) {
  const f = await api('GET', '/api/findings/' + encodeURIComponent(id));
  const conf = f.status === 'unconfirmed' ? '尚未确认'
    : `${f.status === 'refused' ? '机构代表' : '代表'}：${f.representative || '—'}${f.representative_title ? '（' + f.representative_title + '）' : ''}` +
      (f.reason ? `，理由：${f.reason}` : '') + (f.witness ? `，见证人：${f.witness}` : '');
  const checks = Object.entries(f.checks);
  replace('finding-body',
    el('h2', null, `${f.name || f.institution} 的检查发现`),
    el('div', { class: 'card' },
      el('dl', { class: 'facts' },
        el('dt', null, '机构'), el('dd', null, `${f.name || ''}（${f.institution}）${f.county ? ' · ' + f.county : ''}`),
        el('dt', null, '检查日期'), el('dd', null, f.date || ''),
        el('dt', null, '检查组'), el('dd', null, team(f.team)),
        el('dt', null, '封存人员'), el('dd', null, f.inspector || '—'),
        el('dt', null, '检查表'), el('dd', null, f.checklist || ''),
        el('dt', null, '涉及金额'), el('dd', null, yuan(f.amount_fen)),
        el('dt', null, '确认情况'), el('dd', null, badge(f.status), ' ', conf),
        el('dt', null, '事实描述'), el('dd', null, f.facts || '—'),
        el('dt', null, '封存时间'), el('dd', null, when(f.sealed_at)),
        el('dt', null, '记录 SHA-256'), el('dd', { class: 'hash' }, f.record_sha256),
        f.superseded_by ? el('dt', null, '已被更正') : null,
        f.superseded_by ? el('dd', null, el('a', { href: '#finding/' + f.superseded_by }, f.superseded_by)) : null)),
    el('h3', null, '违规条目'),
    table([
      { title: '条目', value: i => i.code },
      { title: '依据', value: i => i.basis },
      { title: '金额', num: true, value: i => yuan(i.amount_fen) },
    ], f.items),
    el('h3', null, '签名与记录核验（二维码所载摘要与签名）'),
    el('div', { class: 'table-wrap' }, el('table', { class: 'stack' },
      el('thead', null, el('tr', null, el('th', null, '核验项'), el('th', null, '结果'), el('th', null, '说明'))),
      el('tbody', null, ...checks.map(([k, v]) => checkRow(k, v))))),
    el('h3', null, '证据'),
    table([
      { title: 'SHA-256', hash: true, value: e => e.sha256 },
      { title: '类别', value: e => e.role === 'signature' ? '手写签名' : '证据' },
      { title: '大小', num: true, value: e => e.announced ? `${e.size.toLocaleString('zh-CN')} 字节` : '—' },
      { title: '总部持有', value: e => el('span', { class: 'badge ' + (e.complete ? 'ok' : 'bad') },
          e.complete ? '完整且已核验' : e.announced ? `上传中 ${e.total ? Math.floor(100 * e.received / e.total) : 0}%` : '未收到') },
    ], f.evidence));
}

async function pageRejections() {
  const rows = await api('GET', '/api/rejections');
  replace('rejections-body', table([
    { title: '时间', value: r => when(r.at) },
    { title: '设备', hash: true, value: r => r.device },
    { title: '序号', num: true, value: r => r.seq ?? '整包' },
    { title: '来源', value: r => r.source },
    { title: '原因', value: r => r.reason },
  ], rows));
}

async function pageUsers() {
  const [users, audit] = await Promise.all([api('GET', '/api/users'), api('GET', '/api/audit')]);
  renderUsers(users);
  replace('audit-body', table([
    { title: '时间', value: a => when(a.at) },
    { title: '用户', value: a => a.user },
    { title: '操作', value: a => action(a.action) },
    { title: '对象', value: a => a.target },
    { title: '地址', value: a => a.remote },
    { title: '状态', num: true, value: a => a.status },
  ], audit));
}

function renderUsers(users) {
  replace('users-body', table([
    { title: '用户名', value: u => u.name },
    { title: '角色', value: u => ROLE_TEXT[u.role] || u.role },
    { title: '创建时间', value: u => when(u.created) },
    { title: '状态', value: u => u.disabled_at ? `已停用（${when(u.disabled_at)}）`
        : (u.name === session.user ? '启用（本人）'
           : el('span', null, '启用 ', el('button', { class: 'small', type: 'button',
               onclick: () => disableUser(u.name) }, '停用'))) },
  ], users));
}

async function disableUser(name) {
  if (!confirm(`停用用户 ${name}？其登录将立即失效。`)) return;
  try {
    renderUsers(await api('POST', '/api/users/disable', { name }));
    document.getElementById('users-error').textContent = '';
  } catch (e) {
    document.getElementById('users-error').textContent = '停用失败：' + e.message;
  }
}

/* ---- navigation ---- */

const PAGES = {
  plan: pagePlan, findings: pageFindings, rejections: pageRejections, users: pageUsers,
  ledger: pageLedger, objections: pageObjections, reports: pageReports,
};
/* Pages of one thing, #name/ID, and the list they belong to. */
const DETAIL_PAGES = { finding: [pageFinding, 'findings'], entry: [pageEntry, 'ledger'] };

function show(name) {
  for (const p of document.querySelectorAll('.page'))
    p.hidden = p.id !== 'page-' + name;
  for (const a of document.querySelectorAll('#nav a'))
    a.classList.toggle('active', a.dataset.page === name || DETAIL_PAGES[name]?.[1] === a.dataset.page);
}

async function route() {
  showStatus('');
  delete document.body.dataset.ready;
  if (!session) {
    try { session = await api('GET', '/api/session'); } catch (e) { session = null; }
  }
  document.getElementById('top').hidden = !session;
  if (!session) {
    show('login');
    document.body.dataset.ready = 'login';
    return;
  }
  document.getElementById('who-name').textContent = `${session.user}（${ROLE_TEXT[session.role] || session.role}）`;
  for (const a of document.querySelectorAll('#nav a[data-role]'))
    a.hidden = ROLE_RANK[session.role] < ROLE_RANK[a.dataset.role];
  const hash = location.hash.replace(/^#/, '').split('?')[0] || 'findings';
  const [name, arg] = hash.split('/');
  try {
    if (DETAIL_PAGES[name] && arg) {
      show(name);
      await DETAIL_PAGES[name][0](decodeURIComponent(arg));
    } else if (PAGES[name]) {
      show(name);
      await PAGES[name]();
    } else {
      location.hash = '#findings';
    }
    /* What the browser test waits for: this page is drawn. */
    document.body.dataset.ready = location.hash || '#findings';
  } catch (e) {
    if (e.status !== 401)
      showStatus(e.status === 403 ? '无权访问：' + e.message : '加载失败：' + e.message);
  }
}

document.getElementById('login-form').addEventListener('submit', async ev => {
  ev.preventDefault();
  const out = document.getElementById('login-error');
  out.textContent = '';
  try {
    session = await api('POST', '/api/login', {
      name: document.getElementById('login-name').value,
      password: document.getElementById('login-password').value,
    });
    document.getElementById('login-password').value = '';
    route();
  } catch (e) {
    document.getElementById('login-password').value = '';
    out.textContent = e.status === 429 ? '登录失败次数过多，请 15 分钟后再试。'
      : e.status === 401 ? '用户名或密码错误，或账号已停用。' : '登录失败：' + e.message;
  }
});

document.getElementById('logout').addEventListener('click', async () => {
  try { await api('POST', '/api/logout', {}); } catch (e) { /* the session is gone either way */ }
  session = null;
  location.hash = '';
  route();
});

document.getElementById('filter').addEventListener('submit', ev => {
  ev.preventDefault();
  const p = new URLSearchParams();
  const inst = document.getElementById('filter-institution').value.trim();
  const status = document.getElementById('filter-status').value;
  if (inst) p.set('institution', inst);
  if (status) p.set('status', status);
  location.hash = '#findings' + (p.toString() ? '?' + p.toString() : '');
});

document.getElementById('user-form').addEventListener('submit', async ev => {
  ev.preventDefault();
  const out = document.getElementById('users-error');
  try {
    renderUsers(await api('POST', '/api/users', {
      name: document.getElementById('user-name').value.trim(),
      role: document.getElementById('user-role').value,
      password: document.getElementById('user-password').value,
    }));
    out.textContent = '';
    ev.target.reset();
  } catch (e) {
    out.textContent = '添加失败：' + e.message;
  }
});

window.addEventListener('hashchange', route);
route();
