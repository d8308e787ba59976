// Row-sparse kernels of the CPU backend: embedding gather (plain and sum-pooled),
// gradient scatter-add, duplicate-id reduction, and the fused optimizer updates applied
// to the touched rows only. Tables are row-major, `dim` floats per row, row r at r·dim.
// Every loop runs in index order, so duplicates are reduced in a fixed order and the
// results are bitwise identical run to run. Callers (addon.cc) have checked every index
// and extent; these functions do no checking.
#pragma once

#include <cstdint>

namespace colony {

/** Where item i of a gathered batch sits: offset + ⌊i/groups⌋·stride + (i mod groups)·dim. */
struct DenseSide {
  float* data;
  int64_t offset;
  int64_t stride;
  int64_t groups;
};

/** out item i = table row index[i]. */
void gather(const float* table, int64_t dim, const int32_t* index, int64_t count, DenseSide out);

/** table row index[i] += item i, in order of i (duplicates add up in that order). */
void scatter_add(const DenseSide& src, const int32_t* index, int64_t count, float* table, int64_t dim);

/** out row b = Σ table row index[i] for i in [bags[b], bags[b+1]), in order of i. */
void gather_sum(const float* table, int64_t dim, const int32_t* index, const int32_t* bags, int64_t bag_count,
                float* out, int64_t out_offset, int64_t out_stride);

/**
 * Distinct ids in order of first appearance into out_ids, and for each the sum of its
 * gradient rows (in input order) into out_grads. Returns how many distinct ids.
 */
int64_t reduce_by_id(const int32_t* ids, int64_t count, const float* grads, int64_t dim, int32_t* out_ids,
                     float* out_grads);

/** params row rows[i] −= lr·grad row i. */
void sgd_rows(float* params, int64_t dim, const int32_t* rows, int64_t count, const float* grads, float lr);

/** Adagrad as PyTorch: acc += g²; p −= lr·g/(√acc + eps). State: acc, dim floats per row. */
void adagrad_rows(float* params, float* state, int64_t dim, const int32_t* rows, int64_t count,
                  const float* grads, float lr, float eps);

/**
 * Adam with a step count per row: state row [m(dim), v(dim), t], 2·dim+1 floats;
 * t += 1; m, v updated; p −= lr·√(1−β2^t)/(1−β1^t) · m/(√v + eps).
 */
void adam_rows(float* params, float* state, int64_t dim, const int32_t* rows, int64_t count, const float* grads,
               float lr, float beta1, float beta2, float eps);

}  // namespace colony
