// A test exporter: a node http server on 127.0.0.1 serving the metric families Climatik reads
// (Kepler ≤ 0.9 joule counters, Kepler ≥ 0.10 watts gauges, NVIDIA DCGM exporter, an IPMI-style
// inlet sensor) in the real Prometheus text exposition format, rendered by prom-client registries.
// Tests set the values; joule counters advance at a watts rate the test chooses, computed from the
// wall clock at scrape time, so `rate()` in Prometheus must come back to that wattage.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Counter, Gauge, Registry } from 'prom-client';

type Labels = Record<string, string>;

/** Family name → label names, as the upstream exporters publish them. */
export const GAUGE_FAMILIES: Readonly<Record<string, readonly string[]>> = {
  // Kepler ≥ 0.10 (node_name is a constant label there; zone must never be summed)
  kepler_node_cpu_watts: ['node_name', 'zone', 'path'],
  kepler_node_gpu_watts: ['node_name', 'gpu', 'gpu_uuid'],
  kepler_platform_watts: ['node_name', 'source', 'bmc_id', 'chassis_id'],
  kepler_pod_cpu_watts: ['node_name', 'pod_name', 'pod_namespace', 'pod_id', 'state', 'zone'],
  kepler_pod_gpu_watts: ['node_name', 'pod_name', 'pod_namespace', 'state', 'gpu'],
  // NVIDIA DCGM exporter (Hostname in releases, hostname on newer builds)
  DCGM_FI_DEV_POWER_USAGE: ['gpu', 'UUID', 'device', 'modelName', 'Hostname', 'hostname', 'pod', 'namespace', 'container'],
  DCGM_FI_DEV_GPU_TEMP: ['gpu', 'UUID', 'device', 'modelName', 'Hostname', 'hostname', 'pod', 'namespace', 'container'],
  DCGM_FI_DEV_ENFORCED_POWER_LIMIT: ['gpu', 'UUID', 'device', 'modelName', 'Hostname', 'hostname'],
  // prometheus-community/ipmi_exporter style inlet sensor, with a node label added by relabelling
  ipmi_temperature_celsius: ['id', 'name', 'node', 'rack'],
};

export const COUNTER_FAMILIES: Readonly<Record<string, readonly string[]>> = {
  // Kepler ≤ 0.9 (label `instance` = node name, `mode` = dynamic|idle)
  kepler_node_platform_joules_total: ['instance', 'mode', 'source'],
  kepler_node_package_joules_total: ['instance', 'package', 'mode', 'source'],
  kepler_node_dram_joules_total: ['instance', 'package', 'mode', 'source'],
  kepler_node_other_joules_total: ['instance', 'mode', 'source'],
  kepler_node_gpu_joules_total: ['instance', 'index', 'mode', 'source'],
  kepler_container_joules_total: ['instance', 'pod_name', 'container_namespace', 'container_name', 'mode'],
  kepler_container_gpu_joules_total: ['instance', 'pod_name', 'container_namespace', 'container_name', 'mode'],
};

interface EnergySeries {
  labels: Labels;
  joules: number;
  watts: number;
  sinceMs: number;
}

export interface TestExporter {
  /** `host:port` for a Prometheus static_config target. */
  readonly target: string;
  /** Sets a gauge sample (NaN and ±Infinity render as "NaN"/"+Inf"/"-Inf", as upstream does). */
  setGauge(name: string, labels: Labels, value: number): void;
  /** Makes a joule counter grow at `watts` from now on (energy so far is kept). */
  setWatts(name: string, labels: Labels, watts: number): void;
  /** Removes one series, or a whole family when labels are omitted. */
  remove(name: string, labels?: Labels): void;
  /** The exposition text as Prometheus would scrape it now. */
  render(): Promise<string>;
  /** Stops answering (connections refused) until `resume()`; series are kept. */
  pause(): Promise<void>;
  resume(): Promise<void>;
  stop(): Promise<void>;
}

export async function startTestExporter(nowMs: () => number = Date.now): Promise<TestExporter> {
  const registry = new Registry();
  const gauges = new Map<string, Gauge>();
  const energy = new Map<string, Map<string, EnergySeries>>();
  const counters = new Map<string, Counter>();

  const gauge = (name: string): Gauge => {
    const labelNames = GAUGE_FAMILIES[name];
    if (labelNames === undefined) throw new Error(`test exporter: unknown gauge family ${name}`);
    let g = gauges.get(name);
    if (g === undefined) {
      g = new Gauge({ name, help: `${name} (test exporter)`, labelNames: [...labelNames], registers: [registry] });
      gauges.set(name, g);
    }
    return g;
  };

  const counter = (name: string): Map<string, EnergySeries> => {
    const labelNames = COUNTER_FAMILIES[name];
    if (labelNames === undefined) throw new Error(`test exporter: unknown counter family ${name}`);
    let series = energy.get(name);
    if (series === undefined) {
      const own = new Map<string, EnergySeries>();
      series = own;
      energy.set(name, own);
      const c = new Counter({
        name,
        help: `${name} (test exporter)`,
        labelNames: [...labelNames],
        registers: [registry],
        // Counters are computed for the moment the scrape arrived (Prometheus stamps the sample with
        // its scrape start), not when rendering gets the event loop: keeps rate() exact under load.
        collect() {
          this.reset();
          const t = scrapeTimeMs ?? nowMs();
          for (const s of own.values()) this.inc(s.labels, s.joules + (s.watts * Math.max(0, t - s.sinceMs)) / 1000);
        },
      });
      counters.set(name, c);
    }
    return series;
  };

  let scrapeTimeMs: number | undefined;
  let server: Server = createServer(handler);
  function handler(req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse): void {
    if (req.url !== '/metrics') {
      res.writeHead(404).end();
      return;
    }
    scrapeTimeMs = nowMs();
    registry.metrics().then(
      (text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text),
      (err: unknown) => res.writeHead(500).end(String(err)),
    );
  }
  await listen(server, 0);
  const port = (server.address() as AddressInfo).port;

  return {
    target: `127.0.0.1:${port}`,
    setGauge(name, labels, value) {
      gauge(name).set(labels, value);
    },
    setWatts(name, labels, watts) {
      const series = counter(name);
      const key = JSON.stringify(Object.entries(labels).sort());
      const t = nowMs();
      const s = series.get(key);
      if (s === undefined) {
        series.set(key, { labels, joules: 0, watts, sinceMs: t });
      } else {
        s.joules += (s.watts * (t - s.sinceMs)) / 1000;
        s.watts = watts;
        s.sinceMs = t;
      }
    },
    remove(name, labels) {
      const g = gauges.get(name);
      if (g !== undefined) {
        if (labels === undefined) g.reset();
        else g.remove(labels);
      }
      const series = energy.get(name);
      if (series !== undefined) {
        if (labels === undefined) series.clear();
        else series.delete(JSON.stringify(Object.entries(labels).sort()));
      }
    },
    render: () => registry.metrics(),
    async pause() {
      await close(server);
    },
    async resume() {
      server = createServer(handler);
      await listen(server, port);
    },
    async stop() {
      if (server.listening) await close(server);
    },
  };
}

function listen(server: Server, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
}

function close(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}
