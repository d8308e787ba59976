// GEMM driver: picks the micro-kernel for this CPU once, and splits large products into
// stripes of C for the kernel pool. See gemm.h for the determinism argument.
#include "gemm.h"

#include <algorithm>
#include <atomic>

#include "thread_pool.h"

namespace colony {
namespace {

struct Isa {
  detail::GemmStripe stripe;
  int mr;
  int nr;
  const char* name;
};

Isa detect_isa() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) {
    return {detail::gemm_stripe_avx2, detail::kMrAvx2, detail::kNrAvx2, "avx2-fma"};
  }
#endif
  return {detail::gemm_stripe_baseline, detail::kMrBaseline, detail::kNrBaseline, "baseline"};
}

const Isa kBaseline{detail::gemm_stripe_baseline, detail::kMrBaseline, detail::kNrBaseline, "baseline"};

const Isa& best_isa() {
  static const Isa chosen = detect_isa();
  return chosen;
}

std::atomic<bool> force_baseline{false};

const Isa& isa() { return force_baseline.load() ? kBaseline : best_isa(); }

std::atomic<int> threads{1};

// Below this many multiply-adds a second thread costs more (wake-up, cold caches) than it
// saves: 2M multiply-adds are about 50 µs of work on one core.
constexpr int64_t kMinParallelWork = int64_t{1} << 21;

}  // namespace

int set_gemm_threads(int t) {
  const int kept = std::clamp(t, 1, 64);
  threads.store(kept);
  return kept;
}

int gemm_threads() { return threads.load(); }

const char* gemm_isa() { return isa().name; }

const char* set_gemm_baseline(bool baseline) {
  force_baseline.store(baseline);
  return gemm_isa();
}

void gemm(const GemmArgs& g) {
  const Isa& chosen = isa();
  const int64_t work = g.m * g.n * std::max<int64_t>(g.k, 1);
  int parts = threads.load();
  if (parts <= 1 || work < kMinParallelWork) {
    chosen.stripe(g);
    return;
  }
  // Split the longer side of C into stripes of whole micro-tiles, so that every element
  // is computed exactly as in a single-threaded call.
  const bool split_m = g.m >= g.n;
  const int64_t unit = split_m ? chosen.mr : chosen.nr;
  const int64_t extent = split_m ? g.m : g.n;
  const int64_t tiles = (extent + unit - 1) / unit;
  parts = static_cast<int>(std::min<int64_t>(parts, tiles));
  if (parts <= 1) {
    chosen.stripe(g);
    return;
  }
  kernel_pool().run(parts, [&](int part) {
    const int64_t t0 = tiles * part / parts;
    const int64_t t1 = tiles * (part + 1) / parts;
    const int64_t lo = t0 * unit;
    const int64_t hi = std::min(extent, t1 * unit);
    if (hi <= lo) return;
    GemmArgs s = g;
    if (split_m) {
      s.m = hi - lo;
      s.a = g.trans_a ? g.a + lo : g.a + lo * g.lda;
      s.c = g.c + lo * g.ldc;
    } else {
      s.n = hi - lo;
      s.b = g.trans_b ? g.b + lo * g.ldb : g.b + lo;
      s.c = g.c + lo;
    }
    chosen.stripe(s);
  });
}

}  // namespace colony
