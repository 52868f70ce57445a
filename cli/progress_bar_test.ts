import { assertEquals } from "../tests/assert.ts";
import { formatProgress, formatProgressSummary, ProgressBar } from "./progress_bar.ts";

Deno.test("formatProgress() shows the bar, percent, bytes, rows and rates", () => {
  assertEquals(
    formatProgress({
      bytes: 3 * 1024 * 1024,
      totalBytes: 12 * 1024 * 1024,
      rows: 45_000,
      elapsedMs: 1500,
    }),
    "[####............]  25%  3.0 MB / 12.0 MB  45,000 rows  30,000 rows/s  2.0 MB/s",
  );
  // A narrow terminal gets a shorter bar and loses the least useful parts; it never wraps.
  const narrow = formatProgress({ bytes: 512, totalBytes: 1024, rows: 10, elapsedMs: 0 }, 40);
  assertEquals(narrow, "[######......]  50%  512 bytes / 1.0 KB");
  assertEquals(narrow.length, 39);
  // A pipe has no size: no bar, no percent.
  assertEquals(
    formatProgress({ bytes: 2048, totalBytes: null, rows: 7, elapsedMs: 1000 }),
    "2.0 KB  7 rows  7 rows/s  2.0 KB/s",
  );
  assertEquals(
    formatProgress({ bytes: 0, totalBytes: 0, rows: 0, elapsedMs: 0 }, 200),
    "[##############################] 100%  0 bytes / 0 bytes  0 rows",
  );
});

Deno.test("formatProgressSummary() says what was read, in how long, how fast", () => {
  assertEquals(
    formatProgressSummary({ bytes: 1434, totalBytes: 1434, rows: 20, elapsedMs: 250 }),
    "Processed 1.4 KB, 20 rows in 0.3 s: 80 rows/s",
  );
});

Deno.test("ProgressBar redraws at most every 100 ms and clears itself at the end", () => {
  let now = 1000;
  const drawn: string[] = [];
  const lines: string[] = [];
  const bar = new ProgressBar({
    totalBytes: 1000,
    draw: (text) => drawn.push(text),
    line: (text) => lines.push(text),
    columns: 80,
    now: () => now,
  });
  bar.update({ bytes: 100 });
  now += 99;
  bar.update({ bytes: 200 });
  assertEquals(drawn.length, 0, "nothing before the first 100 ms");
  now += 1;
  bar.update({ rows: 5 });
  now += 50;
  bar.update({ bytes: 300 });
  assertEquals(drawn.length, 1);
  assertEquals(
    drawn[0],
    "\r[####...............]  20%  200 bytes / 1000 bytes  5 rows  50 rows/s  2.0 KB/s\x1b[K",
  );
  now += 100;
  bar.update({ bytes: 1000 });
  assertEquals(drawn.length, 2);
  bar.finish({ rows: 20 });
  assertEquals(drawn.at(-1), "\r\x1b[K");
  assertEquals(lines, ["Processed 1000 bytes, 20 rows in 0.3 s: 80 rows/s"]);
});

Deno.test("ProgressBar without a terminal prints only the final line", () => {
  let now = 0;
  const lines: string[] = [];
  const bar = new ProgressBar({
    totalBytes: null,
    line: (text) => lines.push(text),
    now: () => now,
  });
  for (let i = 1; i <= 10; i++) {
    now += 500;
    bar.update({ bytes: i * 100, rows: i });
  }
  bar.finish();
  assertEquals(lines, ["Processed 1000 bytes, 10 rows in 5.0 s: 2 rows/s"]);
});
