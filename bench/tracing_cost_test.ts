import { estimate } from "./tracing_cost.ts";

function assertNear(actual: number, expected: number, tolerance: number): void {
  if (Math.abs(actual - expected) > tolerance) {
    throw new Error(`expected ${expected} ± ${tolerance}, got ${actual}`);
  }
}

Deno.test("estimate gives the mean and a Student's t interval", () => {
  // Samples with standard deviation 1, so the half-width is t(0.975, n - 1) / sqrt(n); the t
  // quantiles are the tables' (2.776 for 4 degrees of freedom, 2.131 for 15, 2.042 for 30).
  for (const [n, t] of [[5, 2.776], [16, 2.131], [31, 2.042]]) {
    const half = Math.sqrt((n - 1) / n); // ± half around 0 has a sample variance of 1
    const samples = Array.from({ length: n }, (_, i) => (i % 2 ? -half : half) + 0.01);
    if (n % 2) samples[n - 1] = 0.01; // keep the mean at 0.01 with an odd count
    const { mean, halfWidth95 } = estimate(samples);
    assertNear(mean, 0.01, 1e-9);
    const sd = Math.sqrt(samples.reduce((a, b) => a + (b - 0.01) ** 2, 0) / (n - 1));
    assertNear(halfWidth95, (t * sd) / Math.sqrt(n), 0.02 * halfWidth95);
  }
});

Deno.test("estimate of one sample has no interval", () => {
  const { mean, halfWidth95 } = estimate([0.05]);
  assertNear(mean, 0.05, 1e-12);
  if (halfWidth95 !== Infinity) throw new Error(`expected Infinity, got ${halfWidth95}`);
});
