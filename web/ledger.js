/* ledger.js — 问题台账, 异议处理, 统计报表: over /api/ledger, /api/objections
 * and /api/reports (jc-hq-web-api.h); uses el, api, table, replace from app.js
 */
'use strict';

const LEDGER_TEXT = {
  open: '待整改', rectifying: '整改中', rectified: '已整改', verified: '已核验',
  police: '移交公安', discipline: '移交纪检监察',
};
/* The steps the ledger allows from each status (jc-hq-ledger.h). */
const LEDGER_NEXT = {
  open: ['rectifying', 'police', 'discipline'],
  rectifying: ['rectified', 'police', 'discipline'],
  rectified: ['verified', 'rectifying', 'police', 'discipline'],
};
const OBJECTION_TEXT = { open: '待处理', upheld: '异议成立', rejected: '异议不成立', partial: '部分成立', superseded: '已被更正' };
const FORM_TEXT = { cross: '交叉检查', self: '自查', special: '专项检查', daily: '日常检查' };
const HISTORY_TEXT = {
  open: '登记入账', set: '更新', amend: '随更正转移',
  'objection.open': '提出异议', 'objection.decide': '作出决定', 'objection.supersede': '随更正关闭',
};
const CHANGE_TEXT = {
  status: '状态', note: '说明', deadline: '整改期限', recovered_fen: '追回金额', evidence: '整改证据',
  amount_fen: '涉及金额', finding: '检查发现', reason: '理由', decision: '决定', from: '原状态',
};
const REPORT_BY = { county: '按区县', type: '按机构类型', item: '按检查条目', form: '按检查形式' };
/* What /api/reports/export sends (jc-hq-web-ledger.c), in the buttons' order. */
const REPORT_FILES = [['csv', '下载 CSV'], ['xlsx', '下载 Excel'], ['pdf', '下载 PDF']];

function ledgerBadge(e) {
  return el('span', null, el('span', { class: 'badge ' + e.status }, LEDGER_TEXT[e.status] || e.status),
            e.overdue ? el('span', { class: 'badge overdue' }, '逾期') : null);
}

function isReviewer() {
  return ROLE_RANK[session.role] >= ROLE_RANK.reviewer;
}

function hashParams() {
  return new URLSearchParams(location.hash.split('?')[1] || '');
}

/* ---- 问题台账 ---- */

const LEDGER_PAGE = 50;

async function pageLedger() {
  const params = hashParams();
  const offset = Number(params.get('offset') || 0);
  document.getElementById('ledger-county').value = params.get('county') || '';
  document.getElementById('ledger-status').value = params.get('status') || '';
  document.getElementById('ledger-overdue').checked = params.get('overdue') === '1';
  const query = new URLSearchParams(params);
  query.set('limit', String(LEDGER_PAGE));
  const { today, entries } = await api('GET', '/api/ledger?' + query.toString());
  const page = to => {
    const p = new URLSearchParams(params);
    p.set('offset', String(Math.max(0, to)));
    return '#ledger?' + p.toString();
  };
  const overdue = entries.filter(e => e.overdue).length;
  replace('ledger-body',
    el('p', { class: 'muted' }, `今日 ${today} · 本页 ${entries.length} 条` + (overdue ? `，其中逾期 ${overdue} 条` : '')),
    table([
      { title: '编号', num: true, value: e => e.id },
      { title: '机构', value: e => `${e.institution_name || ''}（${e.institution}）` },
      { title: '区县', value: e => e.county || '名录外' },
      { title: '违规条目', value: e => (e.items || []).join('、') },
      { title: '涉及金额', num: true, value: e => yuan(e.amount_fen) },
      { title: '已追回', num: true, value: e => yuan(e.recovered_fen) },
      { title: '整改期限', value: e => e.deadline || '—' },
      { title: '状态', value: ledgerBadge },
    ], entries, e => { location.hash = '#entry/' + e.id; }),
    el('div', { class: 'pager' },
      offset > 0 ? el('a', { href: page(offset - LEDGER_PAGE) }, '← 上一页') : null,
      entries.length === LEDGER_PAGE ? el('a', { href: page(offset + LEDGER_PAGE) }, '下一页 →') : null));
  for (const tr of document.querySelectorAll('#ledger-body tbody tr.clickable'))
    tr.classList.toggle('overdue', tr.lastChild.querySelector('.badge.overdue') !== null);
  /* The filter as applied (not as typed), every page of it. */
  const all = new URLSearchParams(params);
  all.delete('offset');
  document.getElementById('ledger-download').href = '/api/ledger/export' + (all.toString() ? '?' + all.toString() : '');
}

function changeValue(key, v) {
  if (v && typeof v === 'object' && !Array.isArray(v) && ('from' in v || 'to' in v))
    return `${changeValue(key, v.from)} → ${changeValue(key, v.to)}`;
  if (v === null || v === undefined) return '—';
  if (key === 'status' || key === 'from') return LEDGER_TEXT[v] || OBJECTION_TEXT[v] || v;
  if (key === 'reason' && STATUS_TEXT[v]) return `检查发现${STATUS_TEXT[v]}`;
  if (key.endsWith('_fen') && typeof v === 'number') return yuan(v);
  if (Array.isArray(v)) return v.join('、');
  return typeof v === 'object' ? JSON.stringify(v) : String(v);
}

function historyTable(rows) {
  const box = table([
    { title: '序号', num: true, value: h => h.row },
    { title: '时间', value: h => el('span', { class: 'nowrap' }, when(h.at)) },
    { title: '经办人', value: h => el('span', { class: 'nowrap' }, h.by) },
    { title: '操作', value: h => HISTORY_TEXT[h.action] || h.action },
    { title: '变更', value: h => el('div', null, ...Object.entries(h.changes || {}).map(([k, v]) =>
        el('div', null, `${CHANGE_TEXT[k] || k}：${changeValue(k, v)}`))) },
    { title: 'Ed25519 签名', hash: true, value: h => h.signature },
  ], rows);
  box.classList.add('history');
  return box;
}

function entryForm(e) {
  const next = LEDGER_NEXT[e.status];
  if (!next) return el('p', { class: 'muted' }, '该条目已办结，不能再变更。');
  const out = el('p', { id: 'entry-error', class: 'error', role: 'alert' });
  const form = el('form', { id: 'entry-form', class: 'card form-grid' },
    el('label', null, '变更状态',
      el('select', { id: 'entry-status' }, el('option', { value: '' }, '不改变状态'),
         ...next.map(s => el('option', { value: s }, LEDGER_TEXT[s])))),
    el('label', null, '整改期限', el('input', { id: 'entry-deadline', type: 'date', value: e.deadline || '' })),
    el('label', null, '已追回金额（元）', el('input', { id: 'entry-recovered', inputmode: 'decimal', placeholder: '如 1234.50' })),
    el('label', { class: 'wide' }, '说明', el('textarea', { id: 'entry-note', rows: '2', placeholder: '整改情况、移交去向等' })),
    el('label', { class: 'wide' }, '整改证据 SHA-256（每行一个）',
      el('textarea', { id: 'entry-evidence', rows: '2', class: 'hash', placeholder: '64 位十六进制' })),
    el('div', { class: 'wide' }, el('button', { type: 'submit' }, '提交变更'), out));
  form.addEventListener('submit', async ev => {
    ev.preventDefault();
    const body = {};
    const v = id => document.getElementById(id).value.trim();
    if (v('entry-status')) body.status = v('entry-status');
    if (v('entry-deadline') && v('entry-deadline') !== e.deadline) body.deadline = v('entry-deadline');
    if (v('entry-recovered')) body.recovered = v('entry-recovered');
    if (v('entry-note')) body.note = v('entry-note');
    const evidence = v('entry-evidence').split(/\s+/).filter(Boolean);
    if (evidence.length) body.evidence = evidence;
    if (Object.keys(body).length === 0) {
      out.textContent = '请至少填写一项变更。';
      return;
    }
    try {
      renderEntry(await api('POST', '/api/ledger/' + e.id, body));
    } catch (err) {
      out.textContent = '变更失败：' + err.message;
    }
  });
  return form;
}

function renderEntry(e) {
  replace('entry-body',
    el('h2', null, `问题台账 #${e.id}：${e.institution_name || e.institution}`),
    el('div', { class: 'card' },
      el('dl', { class: 'facts' },
        el('dt', null, '状态'), el('dd', null, ledgerBadge(e)),
        el('dt', null, '机构'), el('dd', null, `${e.institution_name || ''}（${e.institution}）· ${e.county || '名录外'}`),
        el('dt', null, '机构类型'), el('dd', null, TYPE_TEXT[e.type] || e.type || '—'),
        el('dt', null, '检查形式'), el('dd', null, FORM_TEXT[e.form] || e.form || '—'),
        el('dt', null, '检查发现'), el('dd', null, el('a', { href: '#finding/' + e.finding }, e.finding)),
        el('dt', null, '涉及金额'), el('dd', null, yuan(e.amount_fen)),
        el('dt', null, '已追回'), el('dd', null, yuan(e.recovered_fen)),
        el('dt', null, '整改期限'), el('dd', { class: e.overdue ? 'late' : '' }, (e.deadline || '—') + (e.overdue ? '（已逾期）' : '')),
        el('dt', null, '整改说明'), el('dd', null, e.note || '—'),
        el('dt', null, '整改证据'), el('dd', { class: 'hash' }, (e.evidence || []).join('\n') || '—'),
        el('dt', null, '入账时间'), el('dd', null, when(e.opened_at)))),
    el('h3', null, '违规条目与依据'),
    table([
      { title: '条目', value: x => x.code },
      { title: '依据', value: x => x.basis },
    ], (e.items || []).map((code, i) => ({ code, basis: (e.basis || [])[i] || '' }))),
    isReviewer() ? el('h3', null, '推进整改') : null,
    isReviewer() ? entryForm(e) : null,
    el('h3', null, `签名历史（${e.history.length} 条，总部 Ed25519 签名，前后链接）`),
    historyTable(e.history));
}

async function pageEntry(id) {
  renderEntry(await api('GET', '/api/ledger/' + encodeURIComponent(id)));
}

document.getElementById('ledger-filter').addEventListener('submit', ev => {
  ev.preventDefault();
  const p = new URLSearchParams();
  const county = document.getElementById('ledger-county').value.trim();
  const status = document.getElementById('ledger-status').value;
  if (county) p.set('county', county);
  if (status) p.set('status', status);
  if (document.getElementById('ledger-overdue').checked) p.set('overdue', '1');
  location.hash = '#ledger' + (p.toString() ? '?' + p.toString() : '');
});

/* ---- 异议处理 ---- */

function decisionForm(o) {
  const out = el('p', { class: 'error', role: 'alert' });
  const amount = el('label', { hidden: '' }, '维持金额（元）', el('input', { name: 'amount', inputmode: 'decimal', placeholder: '如 600' }));
  const decision = el('select', { name: 'decision', required: '' },
    el('option', { value: '' }, '请选择'),
    ...['rejected', 'partial', 'upheld'].map(d => el('option', { value: d }, OBJECTION_TEXT[d])));
  decision.addEventListener('change', () => { amount.hidden = decision.value !== 'partial'; });
  const form = el('form', { class: 'card form-grid decision', 'data-objection': String(o.id) },
    el('p', { class: 'wide' }, `异议 #${o.id}：${o.institution_name || o.institution}，代表 ${o.representative}，涉及 ${yuan(o.amount_fen)}`),
    el('label', null, '决定', decision),
    amount,
    el('label', { class: 'wide' }, '决定理由', el('textarea', { name: 'reason', rows: '2', required: '' })),
    el('div', { class: 'wide' }, el('button', { type: 'submit' }, '作出决定'), out));
  form.addEventListener('submit', async ev => {
    ev.preventDefault();
    const body = { decision: decision.value, reason: form.elements.reason.value.trim() };
    if (decision.value === 'partial') body.amount = form.elements.amount.value.trim();
    try {
      await api('POST', `/api/objections/${o.id}/decision`, body);
      await pageObjections();
    } catch (err) {
      out.textContent = '决定失败：' + err.message;
    }
  });
  return form;
}

function decisionText(o) {
  if (o.status === 'open') return '—';
  if (o.status === 'superseded') return `已被更正（${o.superseded_by || ''}）`;
  return el('div', null, `${o.decided_by || ''} · ${when(o.decided_at)}`,
    o.status === 'partial' ? el('div', null, `维持金额 ${yuan(o.decided_amount_fen)}`) : null,
    o.decision_reason ? el('div', { class: 'muted' }, o.decision_reason) : null,
    o.entry ? el('a', { href: '#entry/' + o.entry }, `台账 #${o.entry}`) : null);
}

async function pageObjections() {
  const rows = await api('GET', '/api/objections');
  const open = rows.filter(o => o.status === 'open');
  replace('objections-body',
    el('p', { class: 'muted' }, `共 ${rows.length} 件，待处理 ${open.length} 件`),
    table([
      { title: '编号', num: true, value: o => o.id },
      { title: '机构', value: o => `${o.institution_name || ''}（${o.institution}）` },
      { title: '机构代表', value: o => o.representative },
      { title: '异议理由', value: o => o.reason },
      { title: '涉及金额', num: true, value: o => yuan(o.amount_fen) },
      { title: '提出时间', value: o => when(o.opened_at) },
      { title: '状态', value: o => el('span', { class: 'badge obj-' + o.status }, OBJECTION_TEXT[o.status] || o.status) },
      { title: '决定', value: decisionText },
    ], rows),
    isReviewer() && open.length ? el('h3', null, '审核决定') : null,
    ...(isReviewer() ? open.map(decisionForm) : []));
}

/* ---- 统计报表 ---- */

function reportLabel(by, g) {
  if (by === 'county') return g.group === 'unknown' || !g.group ? '名录外' : g.group;
  if (by === 'type') return TYPE_TEXT[g.group] || g.label || g.group;
  if (by === 'form') return FORM_TEXT[g.group] || g.label || g.group;
  return g.label || g.group;
}

async function pageReports() {
  const by = hashParams().get('by') || 'county';
  const r = await api('GET', '/api/reports?by=' + encodeURIComponent(by));
  const label = g => reportLabel(by, g);
  replace('reports-tabs', ...Object.entries(REPORT_BY).map(([k, t]) =>
    el('a', { href: '#reports?by=' + k, class: k === by ? 'active' : '' }, t)));
  replace('reports-body',
    el('div', { class: 'toolbar' },
      el('p', { class: 'muted' }, `${REPORT_BY[by] || by} · 统计日 ${r.today} · 生成于 ${when(r.generated_at)}`),
      el('div', { id: 'report-downloads', class: 'downloads' }, ...REPORT_FILES.map(([format, title]) =>
        el('a', { class: 'button', href: `/api/reports/export?by=${encodeURIComponent(by)}&format=${format}`,
                  download: '', 'data-format': format }, title)))),
    el('div', { class: 'charts' },
      JcCharts.barChart('问题数', r.groups.map(g => ({ label: label(g), value: g.findings })), 'bar-count', v => `${v} 条`),
      JcCharts.barChart('涉及金额', r.groups.map(g => ({ label: label(g), value: g.amount_fen })), 'bar-amount', yuan),
      JcCharts.barChart('整改率', r.groups.map(g => ({ label: label(g), value: g.rate || 0 })), 'bar-rate', v => `${v}%`)),
    table([
      { title: REPORT_BY[by].slice(1), value: g => g.group === 'total' ? '合计' : label(g) },
      { title: '问题数', num: true, value: g => g.findings },
      { title: '涉及金额', num: true, value: g => yuan(g.amount_fen) },
      { title: '已追回', num: true, value: g => yuan(g.recovered_fen) },
      { title: '已整改', num: true, value: g => g.rectified },
      { title: '整改率', num: true, value: g => `${g.rate ?? 0}%` },
      { title: '已移交', num: true, value: g => g.handed_over },
      { title: '逾期', num: true, value: g => g.overdue },
    ], [...r.groups, r.total]));
  document.querySelector('#reports-body tbody tr:last-child')?.classList.add('total');
}
