// See sparse_ops.h.
#include "sparse_ops.h"

#include <cmath>
#include <cstring>
#include <vector>

namespace colony {

namespace {

// Row copies and additions with the width known at compile time for the common embedding
// widths, so each becomes a few vector instructions instead of a counted loop.
template <int D>
inline void add_fixed(float* __restrict to, const float* __restrict from) {
  for (int c = 0; c < D; ++c) to[c] += from[c];
}

template <int D>
inline void copy_fixed(float* __restrict to, const float* __restrict from) {
  for (int c = 0; c < D; ++c) to[c] = from[c];
}

inline void copy_row(float* __restrict to, const float* __restrict from, int64_t dim) {
  switch (dim) {
    case 4: copy_fixed<4>(to, from); return;
    case 8: copy_fixed<8>(to, from); return;
    case 16: copy_fixed<16>(to, from); return;
    case 32: copy_fixed<32>(to, from); return;
    case 64: copy_fixed<64>(to, from); return;
    default:
      std::memcpy(to, from, static_cast<size_t>(dim) * sizeof(float));
  }
}

inline void add_row(float* __restrict to, const float* __restrict from, int64_t dim) {
  switch (dim) {
    case 4: add_fixed<4>(to, from); return;
    case 8: add_fixed<8>(to, from); return;
    case 16: add_fixed<16>(to, from); return;
    case 32: add_fixed<32>(to, from); return;
    case 64: add_fixed<64>(to, from); return;
    default:
      for (int64_t c = 0; c < dim; ++c) to[c] += from[c];
  }
}

// Rows addressed by an index list land anywhere in a large table, so each is a cache
// miss the hardware prefetcher cannot predict; asking for the row kPrefetchAhead entries
// ahead overlaps those misses (the fused optimizers touch two such rows per entry).
// Prefetches change no result.
constexpr int64_t kPrefetchAhead = 8;
constexpr int64_t kCacheLine = 64;

inline void prefetch_row(const float* row, int64_t dim, bool for_write) {
  const char* p = reinterpret_cast<const char*>(row);
  const int64_t bytes = dim * static_cast<int64_t>(sizeof(float));
  for (int64_t b = 0; b < bytes; b += kCacheLine) {
    if (for_write) __builtin_prefetch(p + b, 1, 3);
    else __builtin_prefetch(p + b, 0, 3);
  }
}

// Prefetches row rows[i + kPrefetchAhead] of a table of `width` floats per row, if there is one.
inline void prefetch_ahead(const float* table, int64_t width, const int32_t* rows, int64_t i, int64_t count,
                           bool for_write) {
  if (i + kPrefetchAhead < count) prefetch_row(table + static_cast<int64_t>(rows[i + kPrefetchAhead]) * width, width, for_write);
}

}  // namespace

void gather(const float* table, int64_t dim, const int32_t* index, int64_t count, DenseSide out) {
  // Walk rows and groups instead of dividing i: count is a multiple of groups.
  int64_t i = 0;
  for (float* row = out.data + out.offset; i < count; row += out.stride) {
    float* dst = row;
    for (int64_t g = 0; g < out.groups; ++g, ++i, dst += dim) {
      prefetch_ahead(table, dim, index, i, count, false);
      copy_row(dst, table + static_cast<int64_t>(index[i]) * dim, dim);
    }
  }
}

void scatter_add(const DenseSide& src, const int32_t* index, int64_t count, float* table, int64_t dim) {
  int64_t i = 0;
  for (const float* row = src.data + src.offset; i < count; row += src.stride) {
    const float* from = row;
    for (int64_t g = 0; g < src.groups; ++g, ++i, from += dim) {
      prefetch_ahead(table, dim, index, i, count, true);
      add_row(table + static_cast<int64_t>(index[i]) * dim, from, dim);
    }
  }
}

void gather_sum(const float* table, int64_t dim, const int32_t* index, const int32_t* bags, int64_t bag_count,
                float* out, int64_t out_offset, int64_t out_stride) {
  for (int64_t b = 0; b < bag_count; ++b) {
    float* dst = out + out_offset + b * out_stride;
    for (int64_t c = 0; c < dim; ++c) dst[c] = 0.0f;
    for (int64_t i = bags[b]; i < bags[b + 1]; ++i) add_row(dst, table + static_cast<int64_t>(index[i]) * dim, dim);
  }
}

int64_t reduce_by_id(const int32_t* ids, int64_t count, const float* grads, int64_t dim, int32_t* out_ids,
                     float* out_grads) {
  if (count == 0) return 0;
  // Open addressing at load ≤ 1/2; slot holds 1 + output position (0 = empty).
  int64_t capacity = 16;
  while (capacity < 2 * count) capacity <<= 1;
  const uint64_t mask = static_cast<uint64_t>(capacity - 1);
  std::vector<int64_t> slots(static_cast<size_t>(capacity), 0);
  int64_t distinct = 0;
  for (int64_t i = 0; i < count; ++i) {
    const uint32_t id = static_cast<uint32_t>(ids[i]);
    uint64_t h = (static_cast<uint64_t>(id) * 0x9e3779b97f4a7c15ull) >> 32;
    int64_t pos;
    for (;;) {
      h &= mask;
      const int64_t s = slots[h];
      if (s == 0) {
        pos = distinct++;
        slots[h] = pos + 1;
        out_ids[pos] = ids[i];
        std::memcpy(out_grads + pos * dim, grads + i * dim, static_cast<size_t>(dim) * sizeof(float));
        break;
      }
      if (out_ids[s - 1] == ids[i]) {
        pos = s - 1;
        add_row(out_grads + pos * dim, grads + i * dim, dim);
        break;
      }
      ++h;
    }
  }
  return distinct;
}

void sgd_rows(float* params, int64_t dim, const int32_t* rows, int64_t count, const float* grads, float lr) {
  for (int64_t i = 0; i < count; ++i) {
    prefetch_ahead(params, dim, rows, i, count, true);
    float* __restrict p = params + static_cast<int64_t>(rows[i]) * dim;
    const float* __restrict g = grads + i * dim;
    for (int64_t c = 0; c < dim; ++c) p[c] -= lr * g[c];
  }
}

void adagrad_rows(float* params, float* state, int64_t dim, const int32_t* rows, int64_t count,
                  const float* grads, float lr, float eps) {
  for (int64_t i = 0; i < count; ++i) {
    prefetch_ahead(params, dim, rows, i, count, true);
    prefetch_ahead(state, dim, rows, i, count, true);
    const int64_t row = rows[i];
    float* __restrict p = params + row * dim;
    float* __restrict acc = state + row * dim;
    const float* __restrict g = grads + i * dim;
    for (int64_t c = 0; c < dim; ++c) {
      const float a = acc[c] + g[c] * g[c];
      acc[c] = a;
      p[c] -= lr * g[c] / (std::sqrt(a) + eps);
    }
  }
}

void adam_rows(float* params, float* state, int64_t dim, const int32_t* rows, int64_t count, const float* grads,
               float lr, float beta1, float beta2, float eps) {
  const int64_t width = 2 * dim + 1;
  for (int64_t i = 0; i < count; ++i) {
    prefetch_ahead(params, dim, rows, i, count, true);
    prefetch_ahead(state, width, rows, i, count, true);
    const int64_t row = rows[i];
    float* __restrict p = params + row * dim;
    float* __restrict m = state + row * width;
    float* __restrict v = m + dim;
    const float* __restrict g = grads + i * dim;
    const float t = m[2 * dim] + 1.0f;
    m[2 * dim] = t;
    // The per-row step size in double, as the TypeScript reference computes it.
    const double td = t;
    const float step = static_cast<float>(lr * std::sqrt(1.0 - std::pow(static_cast<double>(beta2), td)) /
                                          (1.0 - std::pow(static_cast<double>(beta1), td)));
    for (int64_t c = 0; c < dim; ++c) {
      const float mc = beta1 * m[c] + (1.0f - beta1) * g[c];
      const float vc = beta2 * v[c] + (1.0f - beta2) * g[c] * g[c];
      m[c] = mc;
      v[c] = vc;
      p[c] -= step * mc / (std::sqrt(vc) + eps);
    }
  }
}

}  // namespace colony
