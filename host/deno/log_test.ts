import {
  type Context,
  context,
  type ContextManager,
  ROOT_CONTEXT,
  trace,
  TraceFlags,
} from "@opentelemetry/api";
import { assertEquals } from "../../tests/assert.ts";
import { log, traceFields } from "./log.ts";

const SPAN = { traceId: "4bf92f3577b34da6a3ce929d0e0e4736", spanId: "00f067aa0ba902b7" };

/** Runs `fn` and returns the JSON lines it logged. */
function captureLines(fn: () => void): Record<string, unknown>[] {
  const lines: string[] = [];
  const original = console.error;
  console.error = (line: string) => void lines.push(line);
  try {
    fn();
  } finally {
    console.error = original;
  }
  return lines.map((line) => JSON.parse(line));
}

/** The smallest synchronous context manager, standing in for Deno's built-in one. */
class StackContextManager implements ContextManager {
  #active: Context = ROOT_CONTEXT;
  active(): Context {
    return this.#active;
  }
  with<A extends unknown[], F extends (...args: A) => ReturnType<F>>(
    ctx: Context,
    fn: F,
    thisArg?: ThisParameterType<F>,
    ...args: A
  ): ReturnType<F> {
    const previous = this.#active;
    this.#active = ctx;
    try {
      return fn.call(thisArg, ...args);
    } finally {
      this.#active = previous;
    }
  }
  bind<T>(_ctx: Context, target: T): T {
    return target;
  }
  enable(): this {
    return this;
  }
  disable(): this {
    return this;
  }
}

Deno.test("log writes one JSON object per line with time, level and msg, filtered by level", () => {
  log.setLevel("info");
  try {
    const lines = captureLines(() => {
      log.debug("hidden");
      log.info("run created", { run_id: "r1", rows: 3 });
      log.error("boom");
    });
    assertEquals(lines.map((l) => [l.level, l.msg]), [["info", "run created"], ["error", "boom"]]);
    assertEquals(lines[0].run_id, "r1");
    assertEquals(lines[0].rows, 3);
    assertEquals(Number.isNaN(Date.parse(lines[0].time as string)), false);
    assertEquals(log.enabled("debug"), false);
    log.setLevel("debug");
    assertEquals(captureLines(() => log.debug("shown")).length, 1);
  } finally {
    log.setLevel("info");
  }
});

Deno.test("log redacts secrets in fields and in the message", () => {
  const [line] = captureLines(() =>
    log.warn("cannot reach postgres://app:hunter2@db/intake", {
      authorization: "Bearer abc.def",
      cause: "password=hunter2 rejected",
    })
  );
  const text = JSON.stringify(line);
  assertEquals(text.includes("hunter2"), false, text);
  assertEquals(text.includes("abc.def"), false, text);
});

Deno.test("log adds trace_id and span_id of the active span", () => {
  assertEquals(traceFields(ROOT_CONTEXT), {});
  const active = trace.setSpanContext(ROOT_CONTEXT, { ...SPAN, traceFlags: TraceFlags.SAMPLED });
  assertEquals(traceFields(active), { trace_id: SPAN.traceId, span_id: SPAN.spanId });

  context.setGlobalContextManager(new StackContextManager());
  try {
    const [outside, inside] = captureLines(() => {
      log.info("outside");
      context.with(active, () => log.info("inside"));
    });
    assertEquals(outside.trace_id, undefined);
    assertEquals([inside.trace_id, inside.span_id], [SPAN.traceId, SPAN.spanId]);
  } finally {
    context.disable();
  }
});
