/**
 * The console's chart: a small SVG line or bar chart of one or more series of (x, y) points,
 * scaled to its box, with axis labels at the ends and a text summary for screen readers
 * (the figure's title and aria-label give the last value and the range). No dependencies.
 */
import { h } from './ui.js';

const W = 640;
/** Axis ticks in compact form (1.2K, 3.4M, 1B); the summary uses the caller's fmtY in full. */
const compact = new Intl.NumberFormat('en', { notation: 'compact', maximumFractionDigits: 1 });
const H = 200;
const PAD = { l: 56, r: 12, t: 12, b: 28 };

/**
 * `series`: [{ label, points: [[x, y], ...] }] (numbers); `kind`: 'line' or 'bar';
 * `fmtX`, `fmtY`: how the axis ends are written. Returns an <figure> with the <svg>.
 */
export function chart({ title, series, kind = 'line', fmtX = String, fmtY = String }) {
  const all = series.flatMap((s) => s.points);
  const figure = h('figure', { class: 'chart' }, h('figcaption', {}, title));
  if (all.length === 0) {
    figure.append(h('p', { class: 'empty' }, 'No data.'));
    return figure;
  }
  const xs = all.map((p) => p[0]);
  const ys = all.map((p) => p[1]);
  const x0 = Math.min(...xs);
  const x1 = Math.max(...xs) === x0 ? x0 + 1 : Math.max(...xs);
  const y0 = Math.min(0, ...ys);
  const y1 = Math.max(...ys) === y0 ? y0 + 1 : Math.max(...ys);
  const sx = (x) => PAD.l + ((x - x0) / (x1 - x0)) * (W - PAD.l - PAD.r);
  const sy = (y) => H - PAD.b - ((y - y0) / (y1 - y0)) * (H - PAD.t - PAD.b);
  const last = series.map((s) => `${s.label}: ${s.points.length ? fmtY(s.points[s.points.length - 1][1]) : 'none'}`).join(', ');
  const summary = `${title}. ${last}. Range ${fmtY(y0)} to ${fmtY(y1)} over ${fmtX(x0)} to ${fmtX(x1)}.`;
  const svg = h('svg', { viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': summary, svg: true },
    h('title', { svg: true }, summary),
    h('line', { svg: true, x1: PAD.l, y1: H - PAD.b, x2: W - PAD.r, y2: H - PAD.b, class: 'axis' }),
    h('line', { svg: true, x1: PAD.l, y1: PAD.t, x2: PAD.l, y2: H - PAD.b, class: 'axis' }),
    h('text', { svg: true, x: PAD.l - 4, y: PAD.t + 8, 'text-anchor': 'end', class: 'tick' }, compact.format(y1)),
    h('text', { svg: true, x: PAD.l - 4, y: H - PAD.b, 'text-anchor': 'end', class: 'tick' }, compact.format(y0)),
    h('text', { svg: true, x: PAD.l, y: H - 8, class: 'tick' }, fmtX(x0)),
    h('text', { svg: true, x: W - PAD.r, y: H - 8, 'text-anchor': 'end', class: 'tick' }, fmtX(x1)),
    series.map((s, i) => {
      const pts = [...s.points].sort((a, b) => a[0] - b[0]);
      if (kind === 'bar') {
        const bw = Math.max(1, (W - PAD.l - PAD.r) / Math.max(1, pts.length) - 2);
        return pts.map(([x, y]) => h('rect', { svg: true, class: `series s${i}`, x: sx(x) - bw / 2, y: sy(Math.max(y, 0)), width: bw, height: Math.abs(sy(y) - sy(0)) }));
      }
      return h('polyline', { svg: true, class: `series s${i}`, fill: 'none', points: pts.map(([x, y]) => `${sx(x).toFixed(1)},${sy(y).toFixed(1)}`).join(' ') });
    }));
  figure.append(svg);
  if (series.length > 1) figure.append(h('p', { class: 'legend' }, series.map((s, i) => h('span', { class: `key s${i}` }, s.label))));
  return figure;
}
