import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

describe('the embedded DynamoDB under a stream of records', () => {
  it('does not deoptimize its attribute validation over and over (a Maglev loop on records with maps)', () => {
    const output = execFileSync(process.execPath, ['--trace-deopt', 'test/support/write-records-process.ts'], {
      encoding: 'utf8',
      env: { ...process.env, RECORDS: '2000' },
      maxBuffer: 64 * 1024 * 1024,
    });
    expect(output).toContain('stored 2000');
    const deopts = output.split('\n').filter((line) => /deoptimizing .*validateAttributeValue/.test(line));
    // Without the filter: one deoptimization every few dozen records (77 for 2000 when measured); with it: none.
    expect(deopts.length).toBeLessThan(10);
  });
});
