import { assert, assertEquals } from "./assert.ts";
import { writeXlsx, type XlsxCell } from "./xlsx_writer.ts";
import { MALLOC_ENV, v8FlagsArg } from "../host/deno/process_settings.ts";

const ROWS = 200_000;
const PEAK_MB = 200;

Deno.test({
  name: `a ${ROWS.toLocaleString("en")}-row workbook streams within ${PEAK_MB} MB, like CSV`,
  async fn() {
    const pollutants = ["CO2", "CH4", "N2O", "NOx", "SO2"];
    function* rows(): Generator<XlsxCell[]> {
      yield ["facility_id", "year", "pollutant", "amount", "unit", "reported_on", "notes"];
      for (let i = 0; i < ROWS; i++) {
        yield [
          `ABC-${String(i % 5000).padStart(6, "0")}`,
          2000 + (i % 24),
          pollutants[i % 5],
          Math.round(i * 7.31) / 100,
          "t",
          new Date(Date.UTC(2020, 0, 1 + (i % 1000))),
          i % 7 === 0 ? `note ${i}` : null,
        ];
      }
    }
    const book = await writeXlsx([{ name: "Emissions", rows: rows() }]);
    const path = await Deno.makeTempFile({ suffix: ".xlsx" });
    try {
      await Deno.writeFile(path, book);
      const probe = new URL("./xlsx_memory_probe.ts", import.meta.url).pathname;
      const out = await new Deno.Command(Deno.execPath(), {
        // The server's heap and allocator settings (deno task start).
        args: [
          "run",
          "-A",
          v8FlagsArg(),
          probe,
          path,
        ],
        env: MALLOC_ENV,
        stdout: "piped",
        stderr: "inherit",
      }).output();
      assert(out.success, "the probe ran");
      const result = JSON.parse(new TextDecoder().decode(out.stdout));
      assertEquals(result.rows, ROWS + 1, "every row and the header");
      assertEquals(result.fields, (ROWS + 1) * 7);
      assert(
        result.peakMb < PEAK_MB,
        `peak RSS ${result.peakMb} MB for a ${book.length} byte file`,
      );
    } finally {
      await Deno.remove(path);
    }
  },
});
