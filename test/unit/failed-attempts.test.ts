import { describe, expect, it } from 'vitest';
import { FailedAttemptLimiter } from '../../lib/auth/failed-attempts.ts';
import { SluiceError } from '../../lib/errors/sluice-error.ts';

describe('FailedAttemptLimiter', () => {
  it('blocks a source and kind after the limit, until the window has passed', () => {
    let now = 1_000_000;
    const limiter = new FailedAttemptLimiter(2, 60_000, () => now);
    limiter.assertAllowed('10.0.0.1', 'virtual-key');
    limiter.recordFailure('10.0.0.1', 'virtual-key');
    limiter.recordFailure('10.0.0.1', 'virtual-key');
    const error = (() => {
      try {
        limiter.assertAllowed('10.0.0.1', 'virtual-key');
      } catch (caught) {
        return caught;
      }
    })();
    expect(error).toBeInstanceOf(SluiceError);
    expect(error).toMatchObject({ status: 429, code: 'too_many_failed_attempts' });
    expect((error as Error).message).toContain('60 s');

    expect(() => limiter.assertAllowed('10.0.0.2', 'virtual-key')).not.toThrow();
    expect(() => limiter.assertAllowed('10.0.0.1', 'jwks:https://idp')).not.toThrow();

    now += 59_999;
    expect(() => limiter.assertAllowed('10.0.0.1', 'virtual-key')).toThrow(SluiceError);
    now += 1;
    expect(() => limiter.assertAllowed('10.0.0.1', 'virtual-key')).not.toThrow();
  });

  it('treats loopback like any other address', () => {
    const limiter = new FailedAttemptLimiter(1, 60_000);
    limiter.recordFailure('127.0.0.1', 'admin-token');
    expect(() => limiter.assertAllowed('127.0.0.1', 'admin-token')).toThrow(SluiceError);
    limiter.recordFailure('::1', 'admin-token');
    expect(() => limiter.assertAllowed('::1', 'admin-token')).toThrow(SluiceError);
  });
});
