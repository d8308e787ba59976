// Times the addon's GEMM against OpenBLAS's cblas_sgemm (loaded with dlopen, so nothing
// here needs OpenBLAS's headers) on the products of one dlrm-small step at batch 2048,
// and checks that they agree. Not part of the addon build; docs/decisions-native.md
// records what it printed and why the addon keeps its own kernel. Build and run:
//   g++ -O3 -std=c++17 -I../cpu gemm-vs-openblas.cc ../cpu/gemm.cc ../cpu/gemm_avx2.cc \
//       ../cpu/gemm_baseline.cc ../cpu/thread_pool.cc -ldl -lpthread -o /tmp/gemm-bench
//   /tmp/gemm-bench THREADS WHICH      (WHICH: 1 = ours, 2 = OpenBLAS, 3 = both)
// Run ours and OpenBLAS in separate processes for thread counts above 1: OpenBLAS's
// idle threads spin and slow down whatever runs next.
#include <dlfcn.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "gemm.h"

namespace {

using Sgemm = void (*)(int, int, int, int, int, int, float, const float*, int, const float*, int, float, float*, int);
using SetThreads = void (*)(int);

double now() { return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count(); }

struct Shape {
  bool ta, tb;
  int m, n, k;
};

// Forward (NT), weight gradients (TN) and input gradients (NN) of the five layers.
const Shape kShapes[] = {
    {0, 1, 2048, 64, 13},  {0, 1, 2048, 16, 64},  {0, 1, 2048, 128, 432}, {0, 1, 2048, 64, 128}, {0, 1, 2048, 1, 64},
    {1, 0, 64, 13, 2048},  {1, 0, 16, 64, 2048},  {1, 0, 128, 432, 2048}, {1, 0, 64, 128, 2048}, {1, 0, 1, 64, 2048},
    {0, 0, 2048, 64, 16},  {0, 0, 2048, 432, 128}, {0, 0, 2048, 128, 64},  {0, 0, 2048, 64, 1},
};

}  // namespace

int main(int argc, char** argv) {
  const int threads = argc > 1 ? std::atoi(argv[1]) : 1;
  const int which = argc > 2 ? std::atoi(argv[2]) : 3;
  void* lib = dlopen("libopenblas.so.0", RTLD_NOW);
  Sgemm sgemm = lib ? reinterpret_cast<Sgemm>(dlsym(lib, "cblas_sgemm")) : nullptr;
  if (lib) reinterpret_cast<SetThreads>(dlsym(lib, "openblas_set_num_threads"))(threads);
  colony::set_gemm_threads(threads);
  double total_ours = 0, total_blas = 0;
  for (const Shape& s : kShapes) {
    std::vector<float> a(static_cast<size_t>(s.m) * s.k), b(static_cast<size_t>(s.k) * s.n);
    std::vector<float> c1(static_cast<size_t>(s.m) * s.n), c2(c1.size());
    for (auto& x : a) x = std::rand() / static_cast<float>(RAND_MAX) - 0.5f;
    for (auto& x : b) x = std::rand() / static_cast<float>(RAND_MAX) - 0.5f;
    colony::GemmArgs g;
    g.trans_a = s.ta, g.trans_b = s.tb, g.m = s.m, g.n = s.n, g.k = s.k;
    g.a = a.data(), g.lda = s.ta ? s.m : s.k, g.b = b.data(), g.ldb = s.tb ? s.k : s.n;
    g.c = c1.data(), g.ldc = s.n;
    const int reps = std::max(5, static_cast<int>(2e9 / (2.0 * s.m * s.n * s.k)));
    double ours = 0, blas = 0;
    if (which & 1) {
      colony::gemm(g);
      const double t = now();
      for (int r = 0; r < reps; ++r) colony::gemm(g);
      ours = (now() - t) / reps;
    }
    if ((which & 2) && sgemm) {
      const auto call = [&] {
        sgemm(101, s.ta ? 112 : 111, s.tb ? 112 : 111, s.m, s.n, s.k, 1.f, a.data(), static_cast<int>(g.lda), b.data(),
              static_cast<int>(g.ldb), 0.f, c2.data(), s.n);
      };
      call();
      const double t = now();
      for (int r = 0; r < reps; ++r) call();
      blas = (now() - t) / reps;
    }
    double diff = 0;
    if (which == 3 && sgemm) {
      for (size_t i = 0; i < c1.size(); ++i) diff = std::max(diff, static_cast<double>(std::fabs(c1[i] - c2[i])));
    }
    total_ours += ours;
    total_blas += blas;
    const double flop = 2.0 * s.m * s.n * s.k;
    std::printf("%c%c %5d %5d %5d  ours %6.1f GF/s %8.1f us   openblas %6.1f GF/s %8.1f us   max|diff| %.2g\n",
                s.ta ? 'T' : 'N', s.tb ? 'T' : 'N', s.m, s.n, s.k, ours > 0 ? flop / ours / 1e9 : 0, ours * 1e6,
                blas > 0 ? flop / blas / 1e9 : 0, blas * 1e6, diff);
  }
  std::printf("one step's products, %d thread(s): ours %.2f ms, openblas %.2f ms (isa %s)\n", threads,
              total_ours * 1e3, total_blas * 1e3, colony::gemm_isa());
  return 0;
}
