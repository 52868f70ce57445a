import { assertEquals, assertMatch, assertThrows, test } from "../tests/assert.ts";
import { parseRate, RateLimiter } from "./rate_limit.ts";

test("parseRate() reads a count per unit", () => {
  assertEquals(parseRate("30/min"), { count: 30, windowMs: 60_000 });
  assertEquals(parseRate(" 500 / hours "), { count: 500, windowMs: 3_600_000 });
  assertEquals(parseRate("5/s"), { count: 5, windowMs: 1000 });
  assertEquals(parseRate("1000/Day"), { count: 1000, windowMs: 86_400_000 });
  for (const bad of ["", "30", "0/min", "-1/min", "30/fortnight", "1.5/min", "min/30"]) {
    const err = assertThrows(() => parseRate(bad, "INTAKE_UPLOAD_RATE")) as Error;
    assertMatch(err.message, /^Invalid INTAKE_UPLOAD_RATE ".*": expected a count per unit/, bad);
  }
});

test("RateLimiter.take() allows a burst, then refills evenly", () => {
  const limiter = new RateLimiter(parseRate("3/min"));
  assertEquals([0, 0, 0].map((t) => limiter.take("a", t).ok), [true, true, true]);
  assertEquals(limiter.take("a", 0), { ok: false, retryAfterSeconds: 20 });
  assertEquals(limiter.take("a", 15_000), { ok: false, retryAfterSeconds: 5 });
  assertEquals(limiter.take("a", 20_000), { ok: true });
  assertEquals(limiter.take("a", 20_000), { ok: false, retryAfterSeconds: 20 });
  // Each key has a bucket of its own.
  assertEquals(limiter.take("b", 20_000), { ok: true });
  // A long pause fills the bucket up to its size, no further.
  assertEquals(
    [1, 2, 3, 4].map(() => limiter.take("a", 10 * 60_000).ok),
    [true, true, true, false],
  );
});

test("RateLimiter.take() refused requests do not count against the bucket", () => {
  const limiter = new RateLimiter(parseRate("1/s"));
  assertEquals(limiter.take("a", 0).ok, true);
  for (let t = 0; t < 1000; t += 100) assertEquals(limiter.take("a", t).ok, false);
  assertEquals(limiter.take("a", 1000).ok, true);
});

test("RateLimiter evicts the least recently used bucket past maxKeys", () => {
  const limiter = new RateLimiter(parseRate("1/hour"), 2);
  limiter.take("a", 0);
  limiter.take("b", 0);
  limiter.take("a", 1); // a is now the most recently used
  limiter.take("c", 2); // evicts b
  assertEquals(limiter.take("a", 3).ok, false);
  assertEquals(limiter.take("b", 3).ok, true, "b starts over with a full bucket");
});
