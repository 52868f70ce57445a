import { assertEquals, test } from "../tests/assert.ts";
import { resolveUploadType } from "./config/upload_type_schema.ts";
import { FailureSampler, SAMPLE_PER_COLUMN, suggestFor } from "./suggestions.ts";

const type = resolveUploadType({
  name: "t",
  label: "T",
  table: "t",
  key: ["id"],
  columns: [
    { name: "id", type: "text", required: true },
    { name: "on", type: "date" },
    { name: "amount", type: "number", required: true },
  ],
}, "t.ts");
const [, on, amount] = type.columns;

test("a pattern that reads most failing dates is suggested, added to the column's", () => {
  const found = suggestFor({ ...on, formats: ["dd/MM/yyyy"] }, ["Jan 1 2000", "Feb 2 2000", "x"]);
  assertEquals(found?.formats, ["dd/MM/yyyy", "MMM d yyyy"]);
  assertEquals(found?.config, 'formats: ["dd/MM/yyyy", "MMM d yyyy"]');
});

test("half of the failing values is not most", () => {
  assertEquals(suggestFor(on, ["Jan 1 2000", "x"]), null);
});

test("two patterns reading the values differently suggest nothing", () => {
  assertEquals(suggestFor(on, ["01/02/2000", "03/04/2000"]), null);
  // One value only one of them reads settles it.
  assertEquals(suggestFor(on, ["01/02/2000", "13/04/2000"])?.formats, ["dd/MM/yyyy"]);
});

test("a thousands comma and a decimal comma are told apart by the values", () => {
  assertEquals(suggestFor(amount, ["1,234"]), null);
  assertEquals(suggestFor(amount, ["1,234.5", "2,000"])?.thousandsSeparator, ",");
  assertEquals(
    suggestFor(amount, ["12,5", "1.234,5"])?.config,
    'decimalSeparator: ",", thousandsSeparator: "."',
  );
});

test("markers are suggested for optional columns only", () => {
  assertEquals(suggestFor(on, ["NA", "NA", "n/a"])?.nullValues, ["", "NA", "n/a"]);
  assertEquals(suggestFor(amount, ["NA", "NA"]), null);
});

test("the sampler keeps at most SAMPLE_PER_COLUMN type failures a column", () => {
  const sampler = new FailureSampler();
  for (let i = 0; i < SAMPLE_PER_COLUMN * 3; i++) {
    // The first values fit no pattern; the many after them would, but are past the sample.
    const value = i < SAMPLE_PER_COLUMN ? `bad ${i}` : "Jan 1 2000";
    sampler.add([{ column: "on", code: "type", message: "", value }]);
    sampler.add([{ column: "amount", code: "required", message: "", value: "" }]);
  }
  assertEquals(sampler.suggestions(type), []);
});
