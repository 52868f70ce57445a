import { assert, assertEquals, test } from "../tests/assert.ts";
import { IngestError } from "./errors.ts";
import {
  boundDetails,
  boundText,
  MAX_DETAIL_CHARS,
  MAX_DETAIL_ITEMS,
  MAX_DETAILS_CHARS,
  MAX_MESSAGE_CHARS,
} from "./error_bounds.ts";

test("boundText() cuts with the length said, keeps pairs whole and shows NUL as ␀", () => {
  assertEquals(boundText("short"), "short");
  assertEquals(boundText("a\0b"), "a\u2400b");
  const long = "x".repeat(31_457_280);
  const cut = boundText(long);
  assertEquals(cut, `${"x".repeat(MAX_MESSAGE_CHARS)}… (31,457,280 characters)`);
  assertEquals(boundText(cut), cut, "bounding again changes nothing");
  // An emoji is two code units: the cut never keeps half of one.
  assertEquals(boundText("ab😀".repeat(100), 3).startsWith("ab… "), true);
});

test("boundDetails() shortens lists and strings, keeps numbers and small details as they are", () => {
  const small = { line: 3, missing: ["a"], nested: { ok: true, n: null } };
  assertEquals(boundDetails(small), small);
  const header = Array.from({ length: 20_000 }, (_, i) => `column ${i}`);
  const bounded = boundDetails({ found: header, value: "v".repeat(10_000), line: 1 });
  assertEquals(bounded.found.length, MAX_DETAIL_ITEMS + 1);
  assertEquals(bounded.found.at(-1), "… (20,000 items)");
  assertEquals(bounded.value.length, MAX_DETAIL_CHARS + "… (10,000 characters)".length);
  assertEquals(bounded.line, 1);
});

test("boundDetails() keeps all the details of one error within their total budget", () => {
  // 100 lists of 100 strings of 400 characters: 4 MB quoted, about 32 KiB kept.
  const many = Object.fromEntries(
    Array.from({ length: 100 }, (_, k) => [`k${k}`, Array(100).fill("y".repeat(400))]),
  );
  const size = JSON.stringify(boundDetails(many)).length;
  assert(size < MAX_DETAILS_CHARS * 1.2, `${size} characters`);
});

test("IngestError bounds its message and details when made", () => {
  const header = "h".repeat(30 * 1024 * 1024);
  const error = new IngestError("header_error", `The header row is not valid: "${header}"`, {
    found: [header, header],
    unexpected: [header],
  });
  assert(JSON.stringify(error.toJSON()).length < 8 * 1024);
  assertEquals(error.message.endsWith("… (31,457,311 characters)"), true, error.message.slice(-40));
});
