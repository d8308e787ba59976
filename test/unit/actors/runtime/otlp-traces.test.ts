import { context, propagation, trace } from "@opentelemetry/api";
import { describe, expect, it } from "vitest";
import { otlpUrl, startTracing } from "../../../../actors/runtime/tracing.js";
import { inPhaseSpan, inStepSpan } from "../../../../actors/worker/step-spans.js";
import { startOtlpCollector } from "../../../helpers/otlp-collector.js";

describe("OTLP trace export of an actor", () => {
  it("sends a step's spans to the collector's /v1/traces when traces is otlp", async () => {
    const { url, posts, server } = await startOtlpCollector();
    const endpoint = `${url}/`;
    const tracing = await startTracing({ settings: { traces: "otlp", traceSampleRatio: 1, otlpEndpoint: endpoint }, cluster: "o", actor: "worker-0", kind: "worker", runDir: "/nonexistent" });
    try {
      expect(tracing.enabled).toBe(true);
      await inStepSpan(Date.now(), { "colony.task": "t-otlp" }, async () => inPhaseSpan("pull", () => Promise.resolve()));
      await tracing.shutdown(); // flushes the batch
      const post = posts.find((p) => p.body.includes("t-otlp"));
      expect(post?.path).toBe("/v1/traces");
      expect(post!.body).toContain("pull");
      expect(post!.body).toContain("colony-worker");
    } finally {
      trace.disable();
      context.disable();
      propagation.disable();
      server.close();
    }
  });

  it("builds signal URLs under a collector's base URL", () => {
    expect(otlpUrl("http://c:4318", "traces")).toBe("http://c:4318/v1/traces");
    expect(otlpUrl("http://c:4318//", "metrics")).toBe("http://c:4318/v1/metrics");
  });
});
