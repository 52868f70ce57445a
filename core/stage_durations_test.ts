import { ROOT_CONTEXT } from "@opentelemetry/api";
import { assert, assertEquals, assertRejects, test } from "../tests/assert.ts";
import { onStageEnd, reportStageEnd } from "./stage_durations.ts";
import { StageSpans, withSpan } from "./telemetry.ts";

function listen(): { seen: Array<[string, number]>; stop: () => void } {
  const seen: Array<[string, number]> = [];
  const stop = onStageEnd((stage, seconds) => seen.push([stage, seconds]));
  return { seen, stop };
}

test("StageSpans reports each stage once, when it closes or the run aborts", () => {
  const { seen, stop } = listen();
  try {
    const spans = new StageSpans(ROOT_CONTEXT, {});
    spans.open("receive");
    spans.open("parse");
    spans.open("parse");
    spans.close("parse");
    spans.open("validate");
    spans.close("validate");
    // Validation refused the run after its span closed: the error gets a span, not a duration.
    spans.abort("validate", new Error("invalid rows"));
    assertEquals(seen.map(([stage]) => stage).sort(), ["parse", "receive", "validate"]);
    assert(seen.every(([, seconds]) => seconds >= 0));
  } finally {
    stop();
  }
});

test("withSpan() reports ingest.<stage> spans, failed ones too, and nothing else", async () => {
  const { seen, stop } = listen();
  try {
    await withSpan("ingest.commit", {}, ROOT_CONTEXT, () => Promise.resolve(1));
    await assertRejects(() =>
      withSpan("ingest.discard", {}, ROOT_CONTEXT, () => Promise.reject(new Error("x")))
    );
    await withSpan("ingest.something_else", {}, ROOT_CONTEXT, () => Promise.resolve(1));
    assertEquals(seen.map(([stage]) => stage), ["commit", "discard"]);
  } finally {
    stop();
  }
});

test("onStageEnd() stops when told; a throwing listener does not reach the pipeline", () => {
  const { seen, stop } = listen();
  const stopBroken = onStageEnd(() => {
    throw new Error("listener bug");
  });
  reportStageEnd("parse", 1);
  stop();
  stopBroken();
  reportStageEnd("parse", 2);
  assertEquals(seen, [["parse", 1]]);
});
