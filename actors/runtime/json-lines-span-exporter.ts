/**
 * A span exporter that appends finished spans, one JSON object a line, to a file
 * (`RUN/traces/<actor>.jsonl`): traces without a collector, readable by `jq`, by tests
 * and by a later OTLP import. Each line: traceId, spanId, parentSpanId, name, kind,
 * start and end (epoch µs), status, attributes, and the actor that recorded it.
 */
import { appendFileSync, mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { ExportResultCode, type ExportResult } from "@opentelemetry/core";
import type { ReadableSpan, SpanExporter } from "@opentelemetry/sdk-trace-base";
import type { HrTime } from "@opentelemetry/api";

const micros = (t: HrTime): number => t[0] * 1e6 + Math.round(t[1] / 1e3);

/** One exported span, as written on its line. */
export interface SpanLine {
  readonly traceId: string;
  readonly spanId: string;
  readonly parentSpanId?: string;
  readonly name: string;
  readonly kind: number;
  readonly startUs: number;
  readonly endUs: number;
  readonly status: number;
  readonly attributes: Record<string, unknown>;
  readonly actor: string;
}

export class JsonLinesSpanExporter implements SpanExporter {
  readonly #file: string;
  readonly #actor: string;

  constructor(file: string, actor: string) {
    this.#file = file;
    this.#actor = actor;
    mkdirSync(dirname(file), { recursive: true });
  }

  /** Appends the spans; a write failure is reported to the processor, never thrown. */
  export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
    try {
      const lines = spans.map((s) => {
        const line: SpanLine = {
          traceId: s.spanContext().traceId, spanId: s.spanContext().spanId, parentSpanId: s.parentSpanContext?.spanId,
          name: s.name, kind: s.kind, startUs: micros(s.startTime), endUs: micros(s.endTime), status: s.status.code,
          attributes: { ...s.attributes }, actor: this.#actor,
        };
        return JSON.stringify(line);
      });
      // Synchronous: spans come in batches off the hot path, and a crash must not lose a half-written line.
      appendFileSync(this.#file, `${lines.join("\n")}\n`);
      resultCallback({ code: ExportResultCode.SUCCESS });
    } catch (err) {
      resultCallback({ code: ExportResultCode.FAILED, error: err as Error });
    }
  }

  async shutdown(): Promise<void> {}
}
