// The GEMM stripe compiled for AVX2 + FMA (6×16 micro-tile: 12 accumulators of 8 floats,
// two B vectors and one broadcast A value in the 16 ymm registers). Only ever called after
// the CPU has said it has AVX2 and FMA (see gemm.cc); on other architectures this file
// compiles to a stub that is never called.
#include <cstdint>
#include <cstdlib>
#include <new>

#include "gemm.h"

#if defined(__x86_64__) || defined(__i386__)
#pragma GCC push_options
#pragma GCC target("avx2,fma")
// Contract a·b + c into one FMA: part of what this path is for, and fixed per build.
#pragma GCC optimize("fp-contract=fast")

namespace colony_gemm_avx2 {
#define COLONY_MR 6
#define COLONY_NR 16
#define COLONY_VEC 8
#include "gemm_tile.inc"
#undef COLONY_MR
#undef COLONY_NR
#undef COLONY_VEC
}  // namespace colony_gemm_avx2

namespace colony::detail {
void gemm_stripe_avx2(const GemmArgs& args) { colony_gemm_avx2::stripe(args); }
}  // namespace colony::detail

#pragma GCC pop_options
#else
namespace colony::detail {
void gemm_stripe_avx2(const GemmArgs& args) { gemm_stripe_baseline(args); }
}  // namespace colony::detail
#endif
