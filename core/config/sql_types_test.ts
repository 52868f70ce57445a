import { assertEquals, test } from "../../tests/assert.ts";
import { COLUMN_TYPES } from "./define_upload_type.ts";
import { SQL_TYPES, sqlType } from "./sql_types.ts";

test("sqlType() maps every column type to its PostgreSQL type", () => {
  assertEquals(Object.keys(SQL_TYPES).sort(), [...COLUMN_TYPES].sort());
  assertEquals(COLUMN_TYPES.map((t) => sqlType(t)), [
    "text",
    "bigint",
    "numeric",
    "boolean",
    "date",
    "timestamptz",
    "text",
    "text",
  ]);
  assertEquals(sqlType({ type: "number" }), "numeric");
});
