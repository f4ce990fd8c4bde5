// Minimal inline-SVG charts for the self-contained report: line charts and a heat map. No scripts,
// no external resources: the report opens from disk anywhere.

export interface Line {
  readonly label: string;
  readonly xs: readonly number[];
  readonly ys: readonly number[];
  readonly color: string;
  readonly width?: number;
  readonly dashed?: boolean;
}

export interface ChartOptions {
  readonly title: string;
  readonly xLabel: string;
  readonly yLabel: string;
  readonly width?: number;
  readonly height?: number;
  readonly yMin?: number;
  readonly legend?: boolean;
}

export const PALETTE = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b', '#e377c2', '#17becf'];

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const fmt = (v: number): string => (Math.abs(v) >= 1000 ? v.toFixed(0) : Math.abs(v) >= 10 ? v.toFixed(1) : v.toFixed(2));

export function lineChart(lines: readonly Line[], o: ChartOptions): string {
  const W = o.width ?? 640;
  const H = o.height ?? 260;
  const m = { l: 60, r: 12, t: 26, b: 38 };
  const xs = lines.flatMap((l) => l.xs);
  const ys = lines.flatMap((l) => l.ys).filter(Number.isFinite);
  const x0 = Math.min(...xs, 0);
  const x1 = Math.max(...xs, x0 + 1);
  let y0 = o.yMin ?? Math.min(...ys, 0);
  let y1 = Math.max(...ys, y0 + 1e-9);
  const pad = (y1 - y0) * 0.05;
  y1 += pad;
  if (o.yMin === undefined) y0 -= pad;
  const sx = (x: number): number => m.l + ((x - x0) / (x1 - x0)) * (W - m.l - m.r);
  const sy = (y: number): number => H - m.b - ((y - y0) / (y1 - y0)) * (H - m.t - m.b);
  const ticks = (a: number, b: number, n: number): number[] => Array.from({ length: n + 1 }, (_, i) => a + ((b - a) * i) / n);
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" role="img" aria-label="${escapeHtml(o.title)}">`,
    `<text x="${W / 2}" y="16" text-anchor="middle" font-size="13" font-weight="bold">${escapeHtml(o.title)}</text>`,
    `<rect x="${m.l}" y="${m.t}" width="${W - m.l - m.r}" height="${H - m.t - m.b}" fill="none" stroke="#bbb"/>`,
  ];
  for (const y of ticks(y0, y1, 4)) {
    parts.push(`<line x1="${m.l}" x2="${W - m.r}" y1="${sy(y).toFixed(1)}" y2="${sy(y).toFixed(1)}" stroke="#eee"/>`);
    parts.push(`<text x="${m.l - 4}" y="${(sy(y) + 4).toFixed(1)}" text-anchor="end" font-size="10">${fmt(y)}</text>`);
  }
  for (const x of ticks(x0, x1, 6)) {
    parts.push(`<text x="${sx(x).toFixed(1)}" y="${H - m.b + 14}" text-anchor="middle" font-size="10">${fmt(x)}</text>`);
  }
  parts.push(`<text x="${W / 2}" y="${H - 6}" text-anchor="middle" font-size="11">${escapeHtml(o.xLabel)}</text>`);
  parts.push(`<text x="12" y="${H / 2}" text-anchor="middle" font-size="11" transform="rotate(-90 12 ${H / 2})">${escapeHtml(o.yLabel)}</text>`);
  for (const l of lines) {
    const pts = l.xs.map((x, i) => `${sx(x).toFixed(1)},${sy(l.ys[i] ?? 0).toFixed(1)}`).join(' ');
    parts.push(
      `<polyline fill="none" stroke="${l.color}" stroke-width="${l.width ?? 1.5}"${l.dashed === true ? ' stroke-dasharray="5 3"' : ''} points="${pts}"><title>${escapeHtml(l.label)}</title></polyline>`,
    );
  }
  if (o.legend !== false) {
    lines.forEach((l, i) => {
      const y = m.t + 12 + i * 13;
      parts.push(`<line x1="${m.l + 8}" x2="${m.l + 24}" y1="${y - 4}" y2="${y - 4}" stroke="${l.color}" stroke-width="2"${l.dashed === true ? ' stroke-dasharray="4 2"' : ''}/>`);
      parts.push(`<text x="${m.l + 28}" y="${y}" font-size="10">${escapeHtml(l.label)}</text>`);
    });
  }
  parts.push('</svg>');
  return parts.join('');
}

/** Blue (cool) → yellow → red (hot), t in [0, 1]. */
export function heatColor(t: number): string {
  const u = Math.min(1, Math.max(0, t));
  const stops: [number, number, number][] = [
    [49, 54, 149],
    [116, 173, 209],
    [255, 255, 191],
    [244, 109, 67],
    [165, 0, 38],
  ];
  const pos = u * (stops.length - 1);
  const i = Math.min(stops.length - 2, Math.floor(pos));
  const f = pos - i;
  const a = stops[i] as [number, number, number];
  const b = stops[i + 1] as [number, number, number];
  const c = a.map((v, k) => Math.round(v + (b[k] as number - v) * f));
  return `rgb(${c.join(',')})`;
}

export interface HeatMapOptions {
  readonly title: string;
  readonly rowLabels: readonly string[];
  readonly xs: readonly number[];
  readonly vMin: number;
  readonly vMax: number;
  /** Values above this get a dark outline (e.g. the red line). */
  readonly alarmAbove?: number;
  readonly width?: number;
}

/** values[timeIndex][row]. */
export function heatMap(values: readonly (readonly number[])[], o: HeatMapOptions): string {
  const W = o.width ?? 640;
  const rows = o.rowLabels.length;
  const cellH = 12;
  const m = { l: 40, r: 12, t: 24, b: 30 };
  const H = m.t + m.b + rows * cellH;
  const cols = Math.max(1, values.length);
  const cellW = (W - m.l - m.r) / cols;
  const span = Math.max(1e-9, o.vMax - o.vMin);
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" role="img" aria-label="${escapeHtml(o.title)}">`,
    `<text x="${W / 2}" y="15" text-anchor="middle" font-size="13" font-weight="bold">${escapeHtml(o.title)}</text>`,
  ];
  values.forEach((col, t) => {
    col.forEach((v, r) => {
      const hot = o.alarmAbove !== undefined && v > o.alarmAbove;
      parts.push(
        `<rect x="${(m.l + t * cellW).toFixed(2)}" y="${m.t + r * cellH}" width="${(cellW + 0.3).toFixed(2)}" height="${cellH}" fill="${heatColor((v - o.vMin) / span)}"${hot ? ' stroke="#000" stroke-width="0.8"' : ''}><title>${escapeHtml(`${o.rowLabels[r] ?? r} t=${o.xs[t] ?? t}: ${v.toFixed(2)}`)}</title></rect>`,
      );
    });
  });
  o.rowLabels.forEach((label, r) => parts.push(`<text x="${m.l - 4}" y="${m.t + r * cellH + 9}" text-anchor="end" font-size="9">${escapeHtml(label)}</text>`));
  const last = o.xs[o.xs.length - 1] ?? 0;
  parts.push(`<text x="${m.l}" y="${H - 14}" font-size="10">0</text><text x="${W - m.r}" y="${H - 14}" text-anchor="end" font-size="10">${fmt(last)}</text>`);
  parts.push(`<text x="${W / 2}" y="${H - 4}" text-anchor="middle" font-size="10">time, s — colour ${fmt(o.vMin)} → ${fmt(o.vMax)}</text>`);
  parts.push('</svg>');
  return parts.join('');
}
