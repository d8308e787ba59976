// Single-precision GEMM for the CPU backend: C = alpha·op(A)·op(B) + beta·C on row-major
// matrices, any combination of transposes. Cache-blocked and register-tiled (packing in
// the Goto/BLIS manner) with one micro-kernel per instruction set, chosen at load time
// from what the CPU reports, so one built addon runs on any x86-64 machine.
//
// Determinism: every element of C is computed by the same sequence of operations
// whatever the thread count, because threads split C into stripes of whole micro-tiles
// and the K dimension is never split. Results are bitwise identical run to run and for
// 1 or N threads on the same instruction set (AVX2+FMA and the baseline path differ:
// FMA rounds once).
#pragma once

#include <cstdint>

namespace colony {

/** Arguments of one product, BLAS-style: leading dimensions are row strides. */
struct GemmArgs {
  bool trans_a = false;
  bool trans_b = false;
  int64_t m = 0, n = 0, k = 0;
  float alpha = 1.0f;
  const float* a = nullptr;  // op(A) is m×k: A is m×k (lda ≥ k), or k×m if trans_a (lda ≥ m)
  int64_t lda = 0;
  const float* b = nullptr;  // op(B) is k×n: B is k×n (ldb ≥ n), or n×k if trans_b (ldb ≥ k)
  int64_t ldb = 0;
  float beta = 0.0f;         // 0: C is written without being read (NaN-safe)
  float* c = nullptr;        // m×n, ldc ≥ n
  int64_t ldc = 0;
};

/** Runs the product with up to gemm_threads() threads; C must not overlap A or B. */
void gemm(const GemmArgs& args);

/** Sets the number of threads a large product may use (1..64); returns the value kept. */
int set_gemm_threads(int threads);

/** Threads a large product may use. */
int gemm_threads();

/** Name of the micro-kernel in use: "avx2-fma" or "baseline". */
const char* gemm_isa();

/** Uses the baseline micro-kernel even where AVX2 is there (true), or the best one (false); returns gemm_isa(). */
const char* set_gemm_baseline(bool baseline);

namespace detail {

/** One instruction set's serial product on a stripe of C; defined per ISA. */
using GemmStripe = void (*)(const GemmArgs& args);

void gemm_stripe_avx2(const GemmArgs& args);
void gemm_stripe_baseline(const GemmArgs& args);

/** Micro-tile height and width of each ISA: stripes are cut at multiples of these. */
constexpr int kMrAvx2 = 6, kNrAvx2 = 16;
constexpr int kMrBaseline = 4, kNrBaseline = 8;

}  // namespace detail
}  // namespace colony
