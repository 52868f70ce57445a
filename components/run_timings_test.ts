import { assertEquals } from "../tests/assert.ts";
import { sampleRun } from "../cli/testdata/sample_run.ts";
import { runTimings } from "./run_timings.ts";

const T0 = "2026-01-05T10:00:00.000Z";
const at = (seconds: number) => new Date(Date.parse(T0) + seconds * 1000).toISOString();

Deno.test("runTimings() splits a reviewed run into processing and waiting for review", () => {
  const run = sampleRun({
    status: "committed",
    createdAt: T0,
    stagedAt: at(2),
    commitStartedAt: at(3 * 3600 + 2),
    finishedAt: at(3 * 3600 + 3.5),
  });
  assertEquals(runTimings(run), { processing: 3.5, waiting: 3 * 3600, inReview: false });
});

Deno.test("runTimings() handles direct, waiting, discarded and unfinished runs", () => {
  const base = { createdAt: T0, commitStartedAt: null };
  assertEquals(
    runTimings(sampleRun({ ...base, status: "committed", stagedAt: null, finishedAt: at(4) })),
    { processing: 4, waiting: null, inReview: false },
  );
  assertEquals(
    runTimings(sampleRun({ ...base, status: "staged", stagedAt: at(2), finishedAt: null })),
    { processing: 2, waiting: null, inReview: true },
  );
  assertEquals(
    runTimings(sampleRun({ ...base, status: "discarded", stagedAt: at(2), finishedAt: at(602) })),
    { processing: 2, waiting: 600, inReview: false },
  );
  assertEquals(
    runTimings(sampleRun({ ...base, status: "processing", stagedAt: null, finishedAt: null })),
    { processing: null, waiting: null, inReview: false },
  );
  // A stale commit went back to staged: still in review, the failed attempt is not processing.
  assertEquals(
    runTimings(
      sampleRun({ status: "staged", createdAt: T0, stagedAt: at(2), commitStartedAt: at(60) }),
    ),
    { processing: 2, waiting: null, inReview: true },
  );
  // Committing now: the wait is over, the commit's own time is not known yet.
  assertEquals(
    runTimings(
      sampleRun({ status: "committing", createdAt: T0, stagedAt: at(2), commitStartedAt: at(62) }),
    ),
    { processing: 2, waiting: 60, inReview: false },
  );
});
