import { assertEquals } from "../tests/assert.ts";
import { formatDuration, formatNumber, formatTime } from "./format.ts";

Deno.test("formatNumber() and formatTime() are the pages' one number and date format", () => {
  assertEquals(formatNumber(300300), "300,300");
  assertEquals(formatNumber(7), "7");
  assertEquals(formatTime("2026-01-05T10:00:02.123Z"), "2026-01-05 10:00:02 UTC");
  assertEquals(formatTime(null), "—");
});

Deno.test("formatDuration() reads seconds, minutes, hours and days", () => {
  assertEquals(
    [4.25, 61, 3 * 3600, 3 * 86400].map(formatDuration),
    ["4.3 s", "1 min", "3 h", "3 days"],
  );
});
