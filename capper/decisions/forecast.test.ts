import t from 'tap';
import { fitHolt, forecastPeakW, holtForecast, holtWintersForecast } from './forecast.js';
import { tracePowerSeries, backtest } from '../forecast-backtest.js';

const minute = (i: number) => i * 60_000;

void t.test('Holt follows a clean ramp exactly', async (t) => {
  const ramp = Array.from({ length: 30 }, (_, i) => 5000 + 100 * i);
  const path = holtForecast(ramp, 5);
  t.same(path.map((v) => Math.round(v)), [7999, 8099, 8199, 8299, 8399].map((v) => v + 1));
});

void t.test('Holt on a flat, noisy series does not invent a trend', async (t) => {
  const flat = Array.from({ length: 60 }, (_, i) => 6000 + (i % 2 === 0 ? 200 : -200));
  const [peak] = [Math.max(...holtForecast(flat, 30))];
  t.ok(peak !== undefined && peak < 6300 && peak > 5700, `peak ${peak}`);
  t.ok(fitHolt(flat).alpha < 1, 'smooths rather than copying the last value');
});

void t.test('Holt-Winters repeats the season; too little history is no forecast', async (t) => {
  const season = [0, 500, 1000, 500];
  const values = Array.from({ length: 24 }, (_, i) => 6000 + (season[i % 4] ?? 0));
  const path = holtWintersForecast(values, 4, 4)?.map((v) => Math.round(v / 100) * 100);
  t.same(path, [6000, 6500, 7000, 6500]);
  t.equal(holtWintersForecast(values.slice(0, 7), 4, 4), undefined);
});

void t.test('forecastPeakW: method off, too short, last-value, holt band above the point forecast', async (t) => {
  const samples = Array.from({ length: 20 }, (_, i) => ({ timeMs: minute(i), powerW: 6000 + (i % 3) * 150 }));
  t.equal(forecastPeakW(samples, 'off', 300_000), undefined);
  t.equal(forecastPeakW(samples.slice(0, 2), 'holt', 300_000), undefined);
  t.same(forecastPeakW(samples, 'last-value', 300_000), { peakW: 6150, pointPeakW: 6150, method: 'last-value' });
  const f = forecastPeakW(samples, 'holt', 300_000, undefined, 1);
  t.ok(f !== undefined && f.peakW > f.pointPeakW, 'band adds the fit noise');
  t.equal(forecastPeakW(samples, 'holt-winters', 300_000, 3_600_000)?.method, 'holt', 'falls back to Holt without two seasons');
});

void t.test('backtest on a synthetic trace: Holt beats the last value on a steady ramp', async (t) => {
  const rows = ['TIMESTAMP,ContextTokens,GeneratedTokens'];
  const cumulative = (s: number) => Math.floor(s + (s * s) / 600); // request rate grows linearly
  for (let s = 0; s < 1800; s++) {
    const perSecond = cumulative(s + 1) - cumulative(s);
    for (let k = 0; k < perSecond; k++) rows.push(`2023-11-16 18:${String(Math.floor(s / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}.${k}000000,500,100`);
  }
  const series = tracePowerSeries(rows.join('\n'));
  t.ok(series.length > 150);
  const r = backtest(series, 6, 20, Number.POSITIVE_INFINITY);
  t.ok(r.oneStepMaeW.holt < r.oneStepMaeW.naive, `holt ${r.oneStepMaeW.holt} < naive ${r.oneStepMaeW.naive}`);
});
