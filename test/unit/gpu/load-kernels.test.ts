import { describe, expect, it } from "vitest";
import { BackendUnavailableError, backendInfo, loadKernels, referenceKernels } from "../../../gpu/index.js";
import { NATIVE_SKIP_NOTE, nativeBuilt } from "./helpers/tensors.js";

describe("choosing kernels", () => {
  it("refuses cuda in this build, saying it is not built", () => {
    expect(() => loadKernels({ backend: "cuda" })).toThrow(BackendUnavailableError);
    expect(() => loadKernels({ backend: "cuda" })).toThrow(/not built in this build/);
    expect(backendInfo().cuda.available).toBe(false);
  });

  it("gives the TypeScript reference on request, a fresh one each time", () => {
    const a = referenceKernels();
    expect(a.kind).toBe("ts");
    expect(referenceKernels()).not.toBe(a);
  });

  it.skipIf(!nativeBuilt)(`loads the native CPU kernels for cpu and auto, and reports them${NATIVE_SKIP_NOTE}`, () => {
    expect(loadKernels({ backend: "cpu" }).kind).toBe("cpu");
    expect(loadKernels().kind).toBe("cpu");
    const info = backendInfo();
    expect(info.auto).toBe("cpu");
    if (!info.cpu.available) throw new Error("unreachable");
    expect(["avx2-fma", "baseline"]).toContain(info.cpu.isa);
    expect(info.cpu.path).toMatch(/colony_native\.node$/);
  });

  it.skipIf(!nativeBuilt)(`sets the process-wide GEMM thread count and rejects one out of range${NATIVE_SKIP_NOTE}`, () => {
    loadKernels({ threads: 2 });
    const info = backendInfo();
    expect(info.cpu.available && info.cpu.threads).toBe(2);
    loadKernels({ threads: 1 });
    expect(() => loadKernels({ threads: 0 })).toThrow(RangeError);
  });

  it.skipIf(!nativeBuilt)(`switches the GEMM micro-kernel to the baseline and back${NATIVE_SKIP_NOTE}`, () => {
    loadKernels({ isa: "baseline" });
    expect(backendInfo().cpu.available && backendInfo().cpu).toMatchObject({ isa: "baseline" });
    loadKernels({ isa: "best" });
    expect(() => loadKernels({ isa: "sse9" as "best" })).toThrow(RangeError);
  });
});
