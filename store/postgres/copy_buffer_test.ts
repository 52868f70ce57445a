import { assertEquals, test } from "../../tests/assert.ts";
import { CopyBuffer } from "./copy_buffer.ts";

const decoder = new TextDecoder();

test("CopyBuffer gives back every line, each ended by a break, and starts over", () => {
  const buffer = new CopyBuffer();
  const lines = Array.from({ length: 1000 }, (_, i) => `${i},"naïve ${"€".repeat(i % 7)}",𝄞`);
  for (const line of lines) buffer.add(line);
  assertEquals(buffer.count, 1000);
  assertEquals(decoder.decode(buffer.take()), lines.join("\n") + "\n");
  assertEquals(buffer.count, 0);
  buffer.add("next");
  assertEquals(decoder.decode(buffer.take()), "next\n");
});

test("CopyBuffer grows past its first megabyte", () => {
  const buffer = new CopyBuffer();
  const line = "x".repeat(10_000);
  for (let i = 0; i < 300; i++) buffer.add(line);
  const bytes = buffer.take();
  assertEquals(bytes.length, 300 * 10_001);
  assertEquals(bytes.subarray(bytes.length - 2).join(), "120,10");
});
