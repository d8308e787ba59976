# The one native addon of Colony (see README.md here). Built by gpu/native/build.sh, which
# scripts/ensure.sh runs; the CUDA kernels join this target in the CUDA part of issue 4.
{
  "targets": [
    {
      "target_name": "colony_native",
      "sources": [
        "cpu/addon.cc",
        "cpu/dense_ops.cc",
        "cpu/gemm.cc",
        "cpu/gemm_avx2.cc",
        "cpu/gemm_baseline.cc",
        "cpu/sparse_ops.cc",
        "cpu/thread_pool.cc"
      ],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      # What node-addon-api's except.gypi sets, without depending on its gyp target
      # (which would make gyp write Makefiles next to node_modules, outside build/).
      "defines": ["NAPI_VERSION=8", "NAPI_CPP_EXCEPTIONS"],
      "cflags!": ["-fno-exceptions", "-O2"],
      # -O3 for the loop vectoriser; no -march: the AVX2 path is chosen at run time
      # (cpu/gemm.cc), so the built file runs on any x86-64 machine it is carried to.
      # -fno-math-errno: sqrt need not set errno, so the fused Adagrad/Adam row updates
      # vectorise (sqrtps) instead of calling sqrtf per element (~4x faster). No result
      # changes: sqrt is correctly rounded either way, and nothing here reads errno.
      "cflags_cc": ["-O3", "-std=c++17", "-fvisibility=hidden", "-fno-math-errno", "-Wall", "-Wextra", "-Wno-unused-parameter"],
      "cflags_cc!": ["-std=gnu++17", "-std=gnu++20", "-O2", "-fno-exceptions"]
    }
  ]
}
