import type { Reporter, TestCase, TestResult } from "@playwright/test/reporter";

/** Repeats each failed test's error after the summary: a CI log is often read from its end,
 * where the line reporter leaves only the failed tests' names. */
export default class FailuresLast implements Reporter {
  private failed: string[] = [];

  onTestEnd(test: TestCase, result: TestResult) {
    if (result.status === "passed" || result.status === "skipped") return;
    const errors = result.errors.map((e) => (e.message ?? e.value ?? "").split("\n").slice(0, 12).join("\n"));
    this.failed.push(`✘ ${test.titlePath().filter(Boolean).join(" › ")} (${result.status})\n${errors.join("\n")}`);
  }

  onEnd() {
    if (this.failed.length === 0) return;
    // Without colours: the log may be read as plain text.
    const plain = (s: string) => s.replace(/\u001b\[[0-9;]*m/g, "");
    console.log(`\nWhat failed, again:\n${this.failed.map(plain).join("\n\n")}`);
  }
}
