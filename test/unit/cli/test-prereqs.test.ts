import { describe, expect, it } from 'vitest';
// @ts-expect-error plain JavaScript script without types
import { missingPackages, prereqPlan } from '../../../scripts/test-prereqs.mjs';

describe('npm test prerequisites (scripts/test-prereqs.mjs)', () => {
  it('lists redis-server and chromium when neither is there', () => {
    expect(missingPackages({ PATH: '' }, () => false, () => false)).toEqual(['redis-server', 'chromium']);
  });

  it('needs no redis-server when REDIS_URL points at a server, and honours PRESCALE_CHROMIUM', () => {
    expect(missingPackages({ REDIS_URL: 'redis://x', PRESCALE_CHROMIUM: '/opt/c' }, () => false, (p: string) => p === '/opt/c')).toEqual([]);
  });

  it('installs from Debian packages as root with apt-get, saying what it installs', () => {
    const p = prereqPlan(['redis-server', 'chromium'], { root: true, apt: true, noInstall: false });
    expect(p.action).toBe('install');
    expect(p.line).toMatch(/installing redis-server chromium .*apt-get install -y --no-install-recommends redis-server chromium/);
  });

  it('says in one line what to install when it cannot (not root, or no apt-get)', () => {
    for (const opts of [{ root: false, apt: true, noInstall: false }, { root: true, apt: false, noInstall: false }, { root: true, apt: true, noInstall: true }]) {
      const p = prereqPlan(['chromium'], opts);
      expect(p.action).toBe('tell');
      expect(p.line).toMatch(/chromium missing: the tests that need it will fail; install with: .*apt-get install -y --no-install-recommends chromium$/);
      expect(p.line).not.toContain('\n');
    }
  });

  it('does nothing when everything is there', () => {
    expect(prereqPlan([], { root: true, apt: true, noInstall: false })).toEqual({ action: 'none' });
  });
});
