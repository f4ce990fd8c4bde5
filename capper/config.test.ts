import t from 'tap';
import { buildConfig, isClimatikError } from '../common/index.js';
import { CapperConfigSchema, checkCapperConfig } from './config.js';

const config = (leaderElection: Record<string, unknown>) =>
  buildConfig(CapperConfigSchema, { topologyFile: '/etc/climatik/topology.yaml', telemetry: { powerFile: '/tmp/p.json' }, leaderElection }, 'test');

void t.test('capper config: the renew interval must fit inside the renew deadline (2/3 of the lease)', async (t) => {
  t.equal(checkCapperConfig(config({}), 'test').leaderElection.renewInterval, '5s', 'defaults: 5s renew, 15s lease (deadline 10s)');
  t.ok(checkCapperConfig(config({ leaseDuration: '3s', renewInterval: '1s' }), 'test'), 'the e2e timings');
  for (const [leaseDuration, renewInterval] of [['15s', '10s'], ['15s', '12s'], ['3s', '2s']]) {
    const err = (() => {
      try {
        checkCapperConfig(config({ leaseDuration, renewInterval }), 'capper.yaml');
        return undefined;
      } catch (e) {
        return e;
      }
    })();
    t.ok(isClimatikError(err, 'CLIMATIK_CONFIG_INVALID'), `${renewInterval} renew with a ${leaseDuration} lease is refused`);
    t.match(err, { issues: [{ path: '/leaderElection/renewInterval', value: renewInterval }] });
  }
  t.ok(checkCapperConfig(config({ enabled: false, leaseDuration: '3s', renewInterval: '10s' }), 'test'), 'no election, no rule');
});
