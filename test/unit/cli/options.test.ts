import { describe, expect, it } from 'vitest';
import { joinNegativeValues, numberOption } from '../../../main/cli/options.js';
import { UsageError } from '../../../main/cli/command.js';

describe('numeric options', () => {
  const takesValue = (name: string) => ['sigma', 'level', 'out'].includes(name);

  it('a negative number after an option is its value (parseArgs alone calls it ambiguous)', () => {
    expect(joinNegativeValues(['--sigma', '-5', '--level', '-3,5', '--out', '-x.png'], takesValue)).toEqual([
      '--sigma=-5',
      '--level=-3,5',
      '--out',
      '-x.png',
    ]);
    // Not after a flag, not after an =value, not after --.
    expect(joinNegativeValues(['--json', '-5', '--sigma=1', '-2', '--', '--sigma', '-5'], takesValue)).toEqual([
      '--json',
      '-5',
      '--sigma=1',
      '-2',
      '--',
      '--sigma',
      '-5',
    ]);
  });

  it('a value inside the range is returned; outside it, a usage error naming option, range and value', () => {
    const range = { min: 1, max: 64, integer: true };
    expect(numberOption({ threads: '64' }, 'threads', range)).toBe(64);
    expect(numberOption({}, 'threads', range)).toBeUndefined();
    for (const bad of ['100000', '0', '2.5', '', ' ', 'x', 'Infinity', 'NaN']) {
      const attempt = () => numberOption({ threads: bad }, 'threads', range);
      expect(attempt).toThrow(UsageError);
      expect(attempt).toThrow(`--threads must be an integer from 1 to 64 (got ${bad}).`);
    }
    const lr = { min: 0, max: 1000, aboveMin: true };
    expect(numberOption({ lr: '1e-3' }, 'lr', lr)).toBe(0.001);
    expect(() => numberOption({ lr: '0' }, 'lr', lr)).toThrow(
      '--lr must be a number above 0 and at most 1000 (got 0).',
    );
  });
});
