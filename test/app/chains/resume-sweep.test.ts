import { describe, expect, it } from 'vitest';
import { baseConfig, buildService } from '../../fixtures/tasks/service.js';
import { ManualClock } from '../../fakes/manual-clock.js';

describe('the chain service\'s resume sweep on the injected clock', () => {
  it('sweeps once per lease period of clock time from watch() until close()', async () => {
    const clock = new ManualClock(1_700_000_000);
    const { service } = buildService(baseConfig({ leaseSec: 30 }), { clock });
    let sweeps = 0;
    service.resume = async () => { sweeps++; return 0; };
    service.watch();
    service.watch(); // a second watch starts no second sweep
    await clock.advanceMs(29_999);
    expect(sweeps).toBe(0);
    await clock.advanceMs(1);
    expect(sweeps).toBe(1);
    await clock.advanceMs(60_000);
    expect(sweeps).toBe(3);
    await service.close();
    await clock.advanceMs(300_000);
    expect(sweeps).toBe(3);
  });
});
