import { describe, expect, it } from "vitest";
import { LogBook, parseLogLine } from "../../../bench/log-lines.js";

describe("parseLogLine", () => {
  it("reads the supervisor's epoch-millisecond time and an actor's ISO time as the same clock", () => {
    const a = parseLogLine('{"level":30,"time":1795000000123,"msg":"actor started","child":"worker-2","childPid":42}');
    const b = parseLogLine('{"level":30,"time":"2026-11-17T07:46:40.123Z","pid":42,"msg":"first batch pushed"}');
    expect(a?.time).toBe(1795000000123);
    expect(b?.time).toBe(Date.parse("2026-11-17T07:46:40.123Z"));
    expect(a?.fields["childPid"]).toBe(42);
    expect(b?.msg).toBe("first batch pushed");
  });

  it("skips what is not a pino line: text, a stack trace, JSON without time or msg, a partial line", () => {
    for (const line of ["colony: scaling to 3 workers", "    at foo (bar.js:1:2)", '{"msg":"no time"}', '{"time":1}', '{"time":1,"msg":"cut', "[1,2]"]) {
      expect(parseLogLine(line)).toBeUndefined();
    }
  });
});

describe("LogBook", () => {
  it("finds the first matching record in the order lines were added", () => {
    const book = new LogBook();
    book.add('{"time":1,"msg":"actor started","child":"worker-0"}');
    book.add("not json");
    book.add('{"time":2,"msg":"actor started","child":"worker-1"}');
    book.add('{"time":3,"msg":"actor started","child":"worker-1"}');
    expect(book.records).toHaveLength(3);
    expect(book.find((r) => r.fields["child"] === "worker-1")?.time).toBe(2);
    expect(book.find((r) => r.fields["child"] === "worker-9")).toBeUndefined();
  });
});
