/* charts.js — bar charts drawn as SVG by hand: findings and amounts per county
 *
 * Drawn at the width the chart's box has, one SVG unit a CSS pixel, so the
 * labels keep their size from a phone to a desktop; drawn again on resize.
 */
'use strict';

const SVG_NS = 'http://www.w3.org/2000/svg';

function svgEl(name, attrs, text) {
  const node = document.createElementNS(SVG_NS, name);
  for (const [k, v] of Object.entries(attrs || {}))
    node.setAttribute(k, String(v));
  if (text !== undefined)
    node.textContent = text;
  return node;
}

function draw(box) {
  const { title, rows, cssClass, format } = box.jcChart;
  const width = Math.max(200, box.clientWidth - 24);
  const rowH = 28, labelW = Math.min(110, Math.round(width * 0.28)), valueW = 96;
  const height = Math.max(rows.length, 1) * rowH + 8;
  const svg = svgEl('svg', { viewBox: `0 0 ${width} ${height}`, width, height, role: 'img', 'aria-label': title });
  const max = Math.max(1, ...rows.map(r => r.value));
  const barSpace = Math.max(20, width - labelW - valueW);
  if (rows.length === 0)
    svg.appendChild(svgEl('text', { x: 0, y: 20 }, '暂无数据'));
  rows.forEach((r, i) => {
    const y = 4 + i * rowH;
    const w = Math.max(2, Math.round(barSpace * r.value / max));
    svg.appendChild(svgEl('text', { x: labelW - 8, y: y + 17, 'text-anchor': 'end' }, r.label));
    svg.appendChild(svgEl('rect', { x: labelW, y: y + 3, width: w, height: rowH - 8, rx: 3, class: cssClass }));
    svg.appendChild(svgEl('text', { x: labelW + w + 6, y: y + 17 }, format(r.value)));
  });
  box.querySelector('svg')?.remove();
  box.appendChild(svg);
}

/* rows: [{label, value}]; format(value) → the text at the bar's end.
 * Returns the chart's box; it draws once it is in the page. */
function barChart(title, rows, cssClass, format) {
  const box = document.createElement('div');
  box.className = 'chart';
  const h = document.createElement('h3');
  h.textContent = title;
  box.appendChild(h);
  box.jcChart = { title, rows, cssClass, format };
  requestAnimationFrame(() => draw(box));
  return box;
}

window.addEventListener('resize', () => {
  for (const box of document.querySelectorAll('.chart'))
    if (box.jcChart) draw(box);
});

window.JcCharts = { barChart };
