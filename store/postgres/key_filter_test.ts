import { assertEquals, test } from "../../tests/assert.ts";
import { KeyFilter, keyText } from "./key_filter.ts";

test("KeyFilter.addAndCheck() marks every repeat and few others", () => {
  const filter = new KeyFilter();
  let marked = 0;
  for (let i = 0; i < 200_000; i++) {
    if (filter.addAndCheck([`ABC-${String(i).padStart(6, "0")}`, "2024", "CO2"])) marked++;
  }
  // 200,000 distinct keys in three filters (2^21 to 2^23 bits), at ≥ 32 bits a key.
  assertEquals(marked < 40, true, `${marked} distinct keys marked as repeats`);
  for (let i = 0; i < 200_000; i += 1000) {
    assertEquals(filter.addAndCheck([`ABC-${String(i).padStart(6, "0")}`, "2024", "CO2"]), true);
  }
  // The parts stay apart: ["ab", "c"] is not ["a", "bc"].
  assertEquals(filter.addAndCheck(["ab", "c"]), false);
  assertEquals(filter.addAndCheck(["a", "bc"]), false);
  assertEquals(filter.addAndCheck(["ab", "c"]), true);
});

test("KeyFilter grows to 16 MiB at most and still marks every repeat", () => {
  const filter = new KeyFilter();
  let marked = 0;
  const n = 3_000_000;
  for (let i = 0; i < n; i++) if (filter.addAndCheck([String(i), "k"])) marked++;
  assertEquals(marked < n / 500, true, `${marked} of ${n} distinct keys marked as repeats`);
  for (let i = 0; i < n; i += 997) assertEquals(filter.addAndCheck([String(i), "k"]), true);
});

test("KeyFilter sized for the keys expected marks fewer non-repeats, and every repeat", () => {
  const count = (filter: KeyFilter) => {
    let marked = 0;
    for (let i = 0; i < 500_000; i++) if (filter.addAndCheck([String(i), "k"])) marked++;
    return marked;
  };
  const grown = count(new KeyFilter());
  const sized = new KeyFilter(500_000);
  const marked = count(sized);
  // One filter of 2^24 bits takes the keys the grown one spreads over four (2^21 to 2^24 bits),
  // each of which adds its false positives.
  assertEquals(marked < grown / 2, true, `sized ${marked}, grown ${grown} distinct keys marked`);
  for (let i = 0; i < 500_000; i += 499) assertEquals(sized.addAndCheck([String(i), "k"]), true);
  // An estimate past the largest filter is capped there, not allocated.
  assertEquals(new KeyFilter(1e12).addAndCheck(["x"]), false);
});

test("keyText() writes values PostgreSQL holds equal the same way", () => {
  assertEquals(keyText("12.500", "number"), "12.5");
  assertEquals(keyText("12.000", "number"), "12");
  assertEquals(keyText("-0.50", "number"), "-0.5");
  assertEquals(keyText("1500", "number"), "1500");
  assertEquals(keyText("2024-01-02T03:04:05.120000Z", "datetime"), "2024-01-02T03:04:05.12Z");
  assertEquals(keyText("2024-01-02T03:04:05.000Z", "datetime"), "2024-01-02T03:04:05Z");
  assertEquals(keyText("a.10", "text"), "a.10");
  assertEquals(keyText(2024, "integer"), "2024");
  assertEquals(keyText(true, "boolean"), "true");
});
