import { assertEquals, assertThrows, test } from "../../../../tests/assert.ts";
import { CsvScanner } from "./parser.ts";

const options = {
  delimiter: ",",
  batchSize: 2,
  maxFieldBytes: 1024,
  maxRecordBytes: 4096,
  maxColumns: 100,
};

test("CsvScanner collects full batches in take() and the rest on finish()", () => {
  const scanner = new CsvScanner(options);
  scanner.push("h\n1\n2");
  assertEquals(scanner.take().map((b) => b.map((r) => r.fields[0])), [["h", "1"]]);
  assertEquals(scanner.take(), []);
  scanner.push("2\n3");
  scanner.finish();
  assertEquals(scanner.take().map((b) => b.map((r) => r.fields[0])), [["22", "3"]]);
});

test("CsvScanner tracks lines across chunks cut between CR and LF", () => {
  const scanner = new CsvScanner({ ...options, batchSize: 10 });
  for (const chunk of ["a\r", '\n"b\r', '\nc"\r', "\n\r", "\nd"]) scanner.push(chunk);
  scanner.finish();
  const [batch] = scanner.take();
  assertEquals(batch.map((r) => [r.row, r.line, r.fields[0]]), [
    [1, 1, "a"],
    [2, 2, "b\r\nc"],
    [4, 5, "d"],
  ]);
});

test("CsvScanner rejects options it cannot work with", () => {
  assertThrows(() => new CsvScanner({ ...options, delimiter: ",," }));
  assertThrows(() => new CsvScanner({ ...options, batchSize: 0 }));
});
