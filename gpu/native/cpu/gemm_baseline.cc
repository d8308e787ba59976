// The GEMM stripe for any CPU: 4×8 micro-tile on 4-float vectors (SSE2 on x86-64, NEON on
// arm64), 8 accumulators plus operands inside 16 vector registers.
#include <cstdint>
#include <cstdlib>
#include <new>

#include "gemm.h"

namespace colony_gemm_baseline {
#define COLONY_MR 4
#define COLONY_NR 8
#define COLONY_VEC 4
#include "gemm_tile.inc"
#undef COLONY_MR
#undef COLONY_NR
#undef COLONY_VEC
}  // namespace colony_gemm_baseline

namespace colony::detail {
void gemm_stripe_baseline(const GemmArgs& args) { colony_gemm_baseline::stripe(args); }
}  // namespace colony::detail
