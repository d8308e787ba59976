// See dense_ops.h.
#include "dense_ops.h"

#include <cmath>
#include <vector>

namespace colony {

void bias_activation(float* y, int64_t ldy, int64_t rows, int64_t cols, const float* bias, Activation act) {
  for (int64_t r = 0; r < rows; ++r) {
    float* __restrict row = y + r * ldy;
    if (act == Activation::kRelu) {
      for (int64_t c = 0; c < cols; ++c) {
        const float v = row[c] + bias[c];
        row[c] = v > 0.0f ? v : 0.0f;
      }
    } else {
      for (int64_t c = 0; c < cols; ++c) row[c] += bias[c];
    }
  }
}

void activation_backward(float* dy, int64_t lddy, const float* y, int64_t ldy, int64_t rows, int64_t cols,
                         Activation act) {
  if (act == Activation::kNone) return;
  for (int64_t r = 0; r < rows; ++r) {
    float* __restrict d = dy + r * lddy;
    const float* __restrict out = y + r * ldy;
    for (int64_t c = 0; c < cols; ++c) d[c] = out[c] > 0.0f ? d[c] : 0.0f;
  }
}

void bias_grad(const float* dy, int64_t lddy, int64_t rows, int64_t cols, float* dbias, bool accumulate) {
  // Column sums with the row loop outside: the inner loop is contiguous and vectorises,
  // and each column still adds its rows in order.
  std::vector<float> sums(static_cast<size_t>(cols), 0.0f);
  float* __restrict s = sums.data();
  for (int64_t r = 0; r < rows; ++r) {
    const float* __restrict row = dy + r * lddy;
    for (int64_t c = 0; c < cols; ++c) s[c] += row[c];
  }
  for (int64_t c = 0; c < cols; ++c) dbias[c] = accumulate ? dbias[c] + s[c] : s[c];
}

double bce_with_logits(const float* logits, const float* labels, int64_t n, float* dlogits) {
  if (n == 0) return 0.0;
  const double inv = 1.0 / static_cast<double>(n);
  double loss = 0.0;
  for (int64_t i = 0; i < n; ++i) {
    const double z = logits[i];
    const double y = labels[i];
    loss += std::fmax(z, 0.0) - z * y + std::log1p(std::exp(-std::fabs(z)));
    double sig;
    if (z >= 0) {
      sig = 1.0 / (1.0 + std::exp(-z));
    } else {
      const double e = std::exp(z);
      sig = e / (1.0 + e);
    }
    dlogits[i] = static_cast<float>((sig - y) * inv);
  }
  return loss * inv;
}

}  // namespace colony
