import { assert, assertEquals, test } from "../../tests/assert.ts";
import { canonicalDecimal, compareDecimal, suggestDecimal } from "./decimal.ts";

test("canonicalDecimal() keeps the written digits of plain decimals", () => {
  for (const text of ["0", "12", "-12", "1.10", "0.5", "-0.5", "123456789012345678901234.5"]) {
    assertEquals(canonicalDecimal(text), text);
  }
});

test("canonicalDecimal() drops a plus sign, leading zeros and negative zero", () => {
  assertEquals(canonicalDecimal("+7"), "7");
  assertEquals(canonicalDecimal("007.50"), "7.50");
  assertEquals(canonicalDecimal(".5"), "0.5");
  assertEquals(canonicalDecimal("-.5"), "-0.5");
  assertEquals(canonicalDecimal("5."), "5");
  assertEquals(canonicalDecimal("-0"), "0");
  assertEquals(canonicalDecimal("-0.00"), "0.00");
});

test("canonicalDecimal() expands exponents exactly", () => {
  assertEquals(canonicalDecimal("1.5e3"), "1500");
  assertEquals(canonicalDecimal("1.50E1"), "15.0");
  assertEquals(canonicalDecimal("1.5e-3"), "0.0015");
  assertEquals(canonicalDecimal("-25e-1"), "-2.5");
  assertEquals(canonicalDecimal("1e-7"), "0.0000001");
  assertEquals(canonicalDecimal("1e2000"), null);
});

test("canonicalDecimal() refuses what is not a plain decimal", () => {
  for (
    const text of [
      "",
      ".",
      "-",
      "e5",
      "1e",
      "1,5",
      "1,234",
      "1 000",
      "0x10",
      "NaN",
      "Infinity",
      "1.2.3",
      "--1",
      " 1",
    ]
  ) {
    assertEquals(canonicalDecimal(text), null, text);
  }
});

test("compareDecimal() compares exactly, beyond float precision", () => {
  assertEquals(compareDecimal("1.10", "1.1"), 0);
  assert(compareDecimal("90.0000000000000000001", "90") > 0);
  assert(compareDecimal("-90.0000000000000000001", "-90") < 0);
  assert(compareDecimal("-1", "0") < 0);
  assert(compareDecimal("10", "9.99") > 0);
  assert(compareDecimal("0.05", "0.5") < 0);
  assert(compareDecimal("-10", "-9") < 0);
});

test("suggestDecimal() rewrites thousands separators and decimal commas", () => {
  assertEquals(suggestDecimal("1,234.5"), ["1234.5"]);
  assertEquals(suggestDecimal("1.234,5"), ["1234.5"]);
  assertEquals(suggestDecimal("1.234.567"), ["1234567"]);
  assertEquals(suggestDecimal("-1 234,5"), ["-1234.5"]);
  assertEquals(suggestDecimal("1'234'567.25"), ["1234567.25"]);
  assertEquals(suggestDecimal("12,5"), ["12.5"]);
  assertEquals(suggestDecimal("1,234"), ["1234", "1.234"]);
  assertEquals(suggestDecimal("12a"), null);
  assertEquals(suggestDecimal("1,23,456"), null);
});
