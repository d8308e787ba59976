// Element-wise kernels of the CPU backend around the GEMMs of a fully connected layer:
// bias + activation forward, activation backward, the bias gradient (column sums), and
// binary cross-entropy on logits. Matrices are row-major views (pointer to the first
// element, row stride). Column sums run over rows in order, so they are deterministic.
// Callers (addon.cc) have checked every extent.
#pragma once

#include <cstdint>

namespace colony {

/** Activations a layer may apply after its bias; values match gpu/kernels.ts. */
enum class Activation : int32_t { kNone = 0, kRelu = 1 };

/** y[r, c] = act(y[r, c] + bias[c]). */
void bias_activation(float* y, int64_t ldy, int64_t rows, int64_t cols, const float* bias, Activation act);

/** dy[r, c] = 0 where the activation's output y[r, c] had zero slope (ReLU: y ≤ 0). */
void activation_backward(float* dy, int64_t lddy, const float* y, int64_t ldy, int64_t rows, int64_t cols,
                         Activation act);

/** dbias[c] (+)= Σ_r dy[r, c], summed in row order. */
void bias_grad(const float* dy, int64_t lddy, int64_t rows, int64_t cols, float* dbias, bool accumulate);

/**
 * Mean of −[y·log σ(z) + (1−y)·log(1−σ(z))] over n logits (computed in double, stable
 * for any z), and dlogits[i] = (σ(z_i) − y_i)/n. Returns 0 for n = 0.
 */
double bce_with_logits(const float* logits, const float* labels, int64_t n, float* dlogits);

}  // namespace colony
