import { describe, expect, it } from 'vitest';
import type { SerializedError, TestModule } from 'vitest/node';
import { countResults, formatSummaryLine } from '../reporter.js';

type State = 'passed' | 'failed' | 'skipped' | 'pending';

/** The two members of TestModule the reporter reads. */
function fakeModule(states: readonly State[], ok = !states.includes('failed')): TestModule {
  const module = {
    ok: () => ok,
    children: {
      *allTests() {
        for (const state of states) yield { result: () => ({ state }) };
      },
    },
  };
  return module as unknown as TestModule;
}

const unhandled = { message: 'boom' } as SerializedError;

describe('CI summary line', () => {
  it('counts test cases by outcome across files', () => {
    const counts = countResults([fakeModule(['passed', 'passed', 'skipped']), fakeModule(['failed', 'passed'])], []);
    expect(counts).toEqual({ passed: 3, failed: 1, skipped: 1 });
  });

  it('counts a failed file without a failed test (import error, failing hook) as one failure', () => {
    expect(countResults([fakeModule([], false), fakeModule(['passed'], false)], [])).toEqual({ passed: 1, failed: 2, skipped: 0 });
  });

  it('counts every unhandled error as a failure', () => {
    expect(countResults([fakeModule(['passed'])], [unhandled, unhandled])).toEqual({ passed: 1, failed: 2, skipped: 0 });
  });

  it('prints skipped only when something was skipped', () => {
    expect(formatSummaryLine({ passed: 12, failed: 0, skipped: 0 })).toBe('tests: 12 passed, 0 failed');
    expect(formatSummaryLine({ passed: 11, failed: 1, skipped: 3 })).toBe('tests: 11 passed, 1 failed, 3 skipped');
    expect(formatSummaryLine({ passed: 0, failed: 0, skipped: 0 })).toBe('tests: 0 passed, 0 failed');
  });
});
