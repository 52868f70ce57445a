import { assert, assertEquals, assertThrows, test } from "../../tests/assert.ts";
import { uploadLimits } from "../../core/limits.ts";
import { loadHostSettings } from "./settings.ts";

const settings = (env: Record<string, string>) => loadHostSettings((name) => env[name]);

test("loadHostSettings() derives the upload limits from INTAKE_UPLOAD_MEMORY_BYTES", () => {
  assertEquals(settings({}).uploadLimits, uploadLimits());
  const limits = settings({ INTAKE_UPLOAD_MEMORY_BYTES: String(8 * 1024 * 1024) }).uploadLimits;
  assertEquals([limits.memoryBytes, limits.maxRecordBytes], [8 * 1024 * 1024, 4 * 1024 * 1024]);
  for (const bad of ["lots", "1000", String(2 ** 31)]) {
    const error = assertThrows(() => settings({ INTAKE_UPLOAD_MEMORY_BYTES: bad }));
    assert(error instanceof TypeError && error.message.includes("INTAKE_UPLOAD_MEMORY_BYTES"));
  }
});
