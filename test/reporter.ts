/**
 * Prints one plain line as the very last line of a Vitest run, for CI to read:
 *
 *   tests: 12 passed, 0 failed
 *   tests: 11 passed, 1 failed, 3 skipped      (", N skipped" only when something was skipped)
 *
 * A failure that belongs to no test (a file that does not import, a failing beforeAll/afterAll, an
 * unhandled error) counts as one failure, and so does a run that fails with no test failed (the
 * browser project's build breaks, no test file is found): the line never says "0 failed" when the
 * run failed.
 */
import type { Reporter, SerializedError, TestModule, Vitest } from 'vitest/node';

export interface RunCounts {
  passed: number;
  failed: number;
  skipped: number;
}

export function countResults(testModules: ReadonlyArray<TestModule>, unhandledErrors: ReadonlyArray<SerializedError>): RunCounts {
  const counts: RunCounts = { passed: 0, failed: unhandledErrors.length, skipped: 0 };
  for (const testModule of testModules) {
    let failedTests = 0;
    for (const testCase of testModule.children.allTests()) {
      const state = testCase.result().state;
      if (state === 'passed') counts.passed += 1;
      else if (state === 'failed') failedTests += 1;
      else counts.skipped += 1; // skipped, todo, or never reached ('pending') because the run stopped
    }
    counts.failed += failedTests;
    if (failedTests === 0 && !testModule.ok()) counts.failed += 1;
  }
  return counts;
}

export function formatSummaryLine({ passed, failed, skipped }: RunCounts): string {
  return `tests: ${passed} passed, ${failed} failed${skipped > 0 ? `, ${skipped} skipped` : ''}`;
}

export default class SummaryLineReporter implements Reporter {
  private counts: RunCounts = { passed: 0, failed: 0, skipped: 0 };
  private watching = false;

  onInit(vitest: Vitest): void {
    this.watching = vitest.config.watch;
    if (this.watching) return;
    // `vitest run` prints the line as the process exits: after the default summary, and after errors
    // reported late, such as a failed global setup (the app does not build). Writes to stdout are
    // synchronous on Linux. A run that failed without any failed test counts as one failure.
    process.once('exit', (code) => {
      const failed = code !== 0 && this.counts.failed === 0 ? 1 : this.counts.failed;
      process.stdout.write(`${formatSummaryLine({ ...this.counts, failed })}\n`);
    });
  }

  onTestRunEnd(testModules: ReadonlyArray<TestModule>, unhandledErrors: ReadonlyArray<SerializedError>): void {
    this.counts = countResults(testModules, unhandledErrors);
    if (this.watching) process.stdout.write(`${formatSummaryLine(this.counts)}\n`);
  }
}
