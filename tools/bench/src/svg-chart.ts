// A horizontal bar chart as plain SVG: one panel per scenario (each has its
// own unit), bars labelled with their value, an optional thin marker (p99).
import type { Bar } from './results.ts';

export interface Panel {
  title: string;
  unit: string;
  bars: Bar[];
  /** Log scale: latency spans 0.1 ms to 1 s. */
  log?: boolean;
}

const W = 1000;
const LABEL_W = 400;
const BAR_H = 20;
const GAP = 6;
const PAD = 16;
const COLORS = ['#2b6cb0', '#2f855a', '#c05621', '#6b46c1', '#b7791f', '#c53030', '#4a5568'];

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function fmtValue(v: number, unit: string): string {
  const n = Math.abs(v) >= 100 ? Math.round(v).toLocaleString('en-US') : v.toFixed(Math.abs(v) >= 10 ? 1 : 2);
  return `${n} ${unit}`;
}

export function renderSvg(panels: Panel[], title: string): string {
  const out: string[] = [];
  let y = PAD + 22;
  const plotW = W - LABEL_W - PAD * 2 - 110;
  for (const panel of panels) {
    out.push(`<text x="${PAD}" y="${y}" font-weight="bold" font-size="14">${esc(panel.title)}${panel.log ? ' (log scale)' : ''}</text>`);
    y += 10;
    const values = panel.bars.flatMap((b) => [b.value, b.marker ?? 0]).filter((v) => v > 0);
    const max = Math.max(...values, 1e-9);
    const min = panel.log ? Math.min(...values) / 2 : 0;
    const scale = (v: number) => {
      if (v <= 0) return 0;
      if (!panel.log) return (v / max) * plotW;
      return (Math.log10(v / min) / Math.log10(max / min)) * plotW;
    };
    panel.bars.forEach((bar, i) => {
      const by = y + i * (BAR_H + GAP);
      const w = Math.max(1, scale(bar.value));
      out.push(`<text x="${LABEL_W + PAD - 8}" y="${by + BAR_H - 6}" text-anchor="end" font-size="12">${esc(bar.label)}</text>`);
      out.push(`<rect x="${LABEL_W + PAD}" y="${by}" width="${w.toFixed(1)}" height="${BAR_H}" fill="${COLORS[i % COLORS.length]}"/>`);
      let textX = LABEL_W + PAD + w + 6;
      if (bar.marker !== undefined && bar.marker > 0) {
        const mx = LABEL_W + PAD + scale(bar.marker);
        out.push(`<line x1="${mx.toFixed(1)}" x2="${mx.toFixed(1)}" y1="${by - 2}" y2="${by + BAR_H + 2}" stroke="#1a202c" stroke-width="2"/>`);
        textX = Math.max(textX, mx + 6);
      }
      const label = fmtValue(bar.value, panel.unit) + (bar.marker !== undefined ? ` (p99 ${fmtValue(bar.marker, panel.unit)})` : '');
      out.push(`<text x="${textX.toFixed(1)}" y="${by + BAR_H - 6}" font-size="12">${esc(label)}</text>`);
    });
    y += panel.bars.length * (BAR_H + GAP) + 30;
  }
  const height = y;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W + 120}" height="${height}" viewBox="0 0 ${W + 120} ${height}" font-family="sans-serif">`,
    `<rect width="100%" height="100%" fill="#ffffff"/>`,
    `<text x="${PAD}" y="${PAD + 4}" font-size="16" font-weight="bold">${esc(title)}</text>`,
    ...out,
    `</svg>`,
    '',
  ].join('\n');
}
