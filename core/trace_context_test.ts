import { ROOT_CONTEXT } from "@opentelemetry/api";
import { recordSpans } from "../tests/recorded_spans.ts";
import { assert, assertEquals, test } from "../tests/assert.ts";
import { fromTraceparent, parseTraceparent, toTraceparent } from "./trace_context.ts";
import { startSpan, withSpan } from "./telemetry.ts";

const exporter = recordSpans();

const INCOMING = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";

test("toTraceparent() writes the span of a context as a W3C traceparent", () => {
  const { span, context: ctx } = startSpan("job", {}, ROOT_CONTEXT);
  const { traceId, spanId } = span.spanContext();
  assertEquals(toTraceparent(ctx), `00-${traceId}-${spanId}-01`);
  span.end();
});

test("toTraceparent() is null for a context without a valid span", () => {
  assertEquals(toTraceparent(), null);
  assertEquals(toTraceparent(ROOT_CONTEXT), null);
  assertEquals(toTraceparent(fromTraceparent("not a traceparent")), null);
});

test("fromTraceparent() continues the stored trace: spans become children of its span", async () => {
  exporter.reset();
  const parent = fromTraceparent(INCOMING);
  await withSpan("ingest.job", { job: 1 }, parent, async () => {});
  const [span] = exporter.getFinishedSpans();
  assertEquals(span.spanContext().traceId, "0af7651916cd43dd8448eb211c80319c");
  assertEquals(span.parentSpanContext?.spanId, "b7ad6b7169203331");
  assertEquals(span.parentSpanContext?.isRemote, true);
});

test("fromTraceparent() round-trips with toTraceparent(), sampled flag included", () => {
  assertEquals(toTraceparent(fromTraceparent(INCOMING)), INCOMING);
  const unsampled = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00";
  assertEquals(toTraceparent(fromTraceparent(unsampled)), unsampled);
});

test("fromTraceparent() returns the base context for a missing or invalid value", async (t) => {
  const base = ROOT_CONTEXT.setValue(Symbol.for("marker"), 1);
  const invalid: Array<[string, string | null | undefined]> = [
    ["null", null],
    ["undefined", undefined],
    ["empty", ""],
    ["garbage", "not a traceparent"],
    ["all-zero trace id", "00-00000000000000000000000000000000-b7ad6b7169203331-01"],
    ["all-zero span id", "00-0af7651916cd43dd8448eb211c80319c-0000000000000000-01"],
    ["upper-case hex", "00-0AF7651916CD43DD8448EB211C80319C-B7AD6B7169203331-01"],
    ["short trace id", "00-0af7651916cd43dd8448eb211c8031-b7ad6b7169203331-01"],
    ["forbidden version ff", "ff-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"],
    ["version 00 with extra field", `${INCOMING}-extra`],
  ];
  for (const [name, value] of invalid) {
    await t.step(name, () => {
      assertEquals(parseTraceparent(value), null);
      assert(fromTraceparent(value, base) === base, "base context returned unchanged");
    });
  }
});

test("parseTraceparent() accepts later versions with extra fields, and surrounding spaces", () => {
  const future = "01-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01-what-comes-next";
  assertEquals(parseTraceparent(future), {
    traceId: "0af7651916cd43dd8448eb211c80319c",
    spanId: "b7ad6b7169203331",
    traceFlags: 1,
    isRemote: true,
  });
  assertEquals(parseTraceparent(` ${INCOMING} `)?.spanId, "b7ad6b7169203331");
});
