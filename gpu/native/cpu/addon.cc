// The N-API face of the CPU backend: one function per kernel, taking Float32Array /
// Int32Array views (no copies: the kernels work on the JavaScript buffers in place),
// offsets and strides in elements. Every extent and index is checked here before a
// kernel runs, so a wrong call throws a RangeError or TypeError instead of touching
// memory outside the arrays. gpu/native-kernels.ts is the only caller; the argument
// order of each function is declared once more there (NativeAddon).
#include <napi.h>

#include <cstdint>
#include <string>
#include <thread>

#include "dense_ops.h"
#include "gemm.h"
#include "sparse_ops.h"

namespace {

/** Bumped when a function's arguments change; the TS wrapper refuses another version. */
constexpr int32_t kAbiVersion = 1;

template <typename T>
struct View {
  T* data;
  int64_t length;
};

/** Reads and checks the arguments of one call, naming the function in every error. */
class Args {
 public:
  Args(const Napi::CallbackInfo& info, const char* fn) : info_(info), fn_(fn) {}

  Napi::Env env() const { return info_.Env(); }

  [[noreturn]] void range_error(const std::string& what) const {
    throw Napi::RangeError::New(env(), std::string(fn_) + ": " + what);
  }

  [[noreturn]] void type_error(const std::string& what) const {
    throw Napi::TypeError::New(env(), std::string(fn_) + ": " + what);
  }

  View<float> f32(size_t i, const char* name) const {
    const Napi::Value v = info_[i];
    if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != napi_float32_array) {
      type_error(std::string(name) + " must be a Float32Array");
    }
    auto a = v.As<Napi::Float32Array>();
    return {a.Data(), static_cast<int64_t>(a.ElementLength())};
  }

  View<int32_t> i32(size_t i, const char* name) const {
    const Napi::Value v = info_[i];
    if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != napi_int32_array) {
      type_error(std::string(name) + " must be an Int32Array");
    }
    auto a = v.As<Napi::Int32Array>();
    return {a.Data(), static_cast<int64_t>(a.ElementLength())};
  }

  /** An integer in [lo, hi]. */
  int64_t integer(size_t i, const char* name, int64_t lo, int64_t hi = (int64_t{1} << 53)) const {
    const Napi::Value v = info_[i];
    if (!v.IsNumber()) type_error(std::string(name) + " must be a number");
    const double d = v.As<Napi::Number>().DoubleValue();
    if (!(d >= static_cast<double>(lo) && d <= static_cast<double>(hi)) || d != static_cast<double>(static_cast<int64_t>(d))) {
      range_error(std::string(name) + " must be an integer in [" + std::to_string(lo) + ", " + std::to_string(hi) +
                  "], got " + std::to_string(d));
    }
    return static_cast<int64_t>(d);
  }

  float number(size_t i, const char* name) const {
    const Napi::Value v = info_[i];
    if (!v.IsNumber()) type_error(std::string(name) + " must be a number");
    return static_cast<float>(v.As<Napi::Number>().DoubleValue());
  }

  bool flag(size_t i, const char* name) const {
    const Napi::Value v = info_[i];
    if (!v.IsBoolean()) type_error(std::string(name) + " must be a boolean");
    return v.As<Napi::Boolean>().Value();
  }

  /** Throws unless rows×cols at `offset` with row stride `ld` lies inside `length` elements. */
  void matrix(const char* name, int64_t length, int64_t offset, int64_t rows, int64_t cols, int64_t ld) const {
    // An empty view is never read or written, wherever it starts.
    if (rows == 0 || cols == 0) return;
    if (ld < cols) {
      range_error(std::string(name) + " stride " + std::to_string(ld) + " is less than its " + std::to_string(cols) +
                  " columns");
    }
    const int64_t end = offset + (rows - 1) * ld + cols;
    if (end > length) {
      range_error(std::string(name) + " needs " + std::to_string(end) + " elements (" + std::to_string(rows) + "×" +
                  std::to_string(cols) + ", stride " + std::to_string(ld) + ", offset " + std::to_string(offset) +
                  "), has " + std::to_string(length));
    }
  }

  /** Throws unless every index is a row of a table with `rows` rows. */
  void indices(const char* name, const View<int32_t>& index, int64_t rows) const {
    for (int64_t i = 0; i < index.length; ++i) {
      const int32_t r = index.data[i];
      if (r < 0 || r >= rows) {
        range_error(std::string(name) + "[" + std::to_string(i) + "] = " + std::to_string(r) + " is not a row of a " +
                    std::to_string(rows) + "-row table");
      }
    }
  }

 private:
  const Napi::CallbackInfo& info_;
  const char* fn_;
};

constexpr int64_t kMaxDim = int64_t{1} << 31;

/** The GemmArgs of a gemm/gemmAsync call, checked. */
colony::GemmArgs gemm_args(const Args& a) {
  colony::GemmArgs g;
  g.trans_a = a.flag(0, "transA");
  g.trans_b = a.flag(1, "transB");
  g.m = a.integer(2, "m", 0, kMaxDim);
  g.n = a.integer(3, "n", 0, kMaxDim);
  g.k = a.integer(4, "k", 0, kMaxDim);
  g.alpha = a.number(5, "alpha");
  const View<float> av = a.f32(6, "a");
  const int64_t a_off = a.integer(7, "a offset", 0);
  g.lda = a.integer(8, "a stride", 0, kMaxDim);
  const View<float> bv = a.f32(9, "b");
  const int64_t b_off = a.integer(10, "b offset", 0);
  g.ldb = a.integer(11, "b stride", 0, kMaxDim);
  g.beta = a.number(12, "beta");
  const View<float> cv = a.f32(13, "c");
  const int64_t c_off = a.integer(14, "c offset", 0);
  g.ldc = a.integer(15, "c stride", 0, kMaxDim);
  const bool uses_ab = g.k > 0 && g.alpha != 0.0f && g.m > 0 && g.n > 0;
  if (uses_ab) {
    a.matrix("a", av.length, a_off, g.trans_a ? g.k : g.m, g.trans_a ? g.m : g.k, g.lda);
    a.matrix("b", bv.length, b_off, g.trans_b ? g.n : g.k, g.trans_b ? g.k : g.n, g.ldb);
  }
  a.matrix("c", cv.length, c_off, g.m, g.n, g.ldc);
  g.a = av.data + a_off;
  g.b = bv.data + b_off;
  g.c = cv.data + c_off;
  if (uses_ab) {
    // The product reads A and B after it has started writing C.
    const float* c0 = g.c;
    const float* c1 = g.c + (g.m - 1) * g.ldc + g.n;
    const auto overlaps = [&](const float* p, int64_t rows, int64_t cols, int64_t ld) {
      const float* p1 = p + (rows - 1) * ld + cols;
      return p < c1 && c0 < p1;
    };
    if (overlaps(g.a, g.trans_a ? g.k : g.m, g.trans_a ? g.m : g.k, g.lda)) a.range_error("c overlaps a");
    if (overlaps(g.b, g.trans_b ? g.n : g.k, g.trans_b ? g.k : g.n, g.ldb)) a.range_error("c overlaps b");
  }
  return g;
}

Napi::Value Gemm(const Napi::CallbackInfo& info) {
  const Args a(info, "gemm");
  colony::gemm(gemm_args(a));
  return info.Env().Undefined();
}

/** gemm on a libuv thread; keeps its three arrays alive until it settles. */
class GemmWorker : public Napi::AsyncWorker {
 public:
  GemmWorker(Napi::Env env, const colony::GemmArgs& args, const Napi::CallbackInfo& info)
      : Napi::AsyncWorker(env, "colony.gemm"), deferred_(Napi::Promise::Deferred::New(env)), args_(args) {
    keep_a_ = Napi::Persistent(info[6].As<Napi::Object>());
    keep_b_ = Napi::Persistent(info[9].As<Napi::Object>());
    keep_c_ = Napi::Persistent(info[13].As<Napi::Object>());
  }

  Napi::Promise promise() const { return deferred_.Promise(); }

  void Execute() override {
    try {
      colony::gemm(args_);
    } catch (const std::exception& e) {
      SetError(e.what());
    }
  }

  void OnOK() override { deferred_.Resolve(Env().Undefined()); }

  void OnError(const Napi::Error& e) override { deferred_.Reject(e.Value()); }

 private:
  Napi::Promise::Deferred deferred_;
  colony::GemmArgs args_;
  Napi::ObjectReference keep_a_, keep_b_, keep_c_;
};

Napi::Value GemmAsync(const Napi::CallbackInfo& info) {
  const Args a(info, "gemmAsync");
  const colony::GemmArgs g = gemm_args(a);
  auto* worker = new GemmWorker(info.Env(), g, info);
  const Napi::Promise promise = worker->promise();
  worker->Queue();
  return promise;
}

colony::Activation activation(const Args& a, size_t i) {
  return static_cast<colony::Activation>(a.integer(i, "activation", 0, 1));
}

Napi::Value BiasActivation(const Napi::CallbackInfo& info) {
  const Args a(info, "biasActivation");
  const View<float> y = a.f32(0, "y");
  const int64_t y_off = a.integer(1, "y offset", 0);
  const int64_t ldy = a.integer(2, "y stride", 0, kMaxDim);
  const int64_t rows = a.integer(3, "rows", 0);
  const int64_t cols = a.integer(4, "cols", 0);
  const View<float> bias = a.f32(5, "bias");
  const int64_t bias_off = a.integer(6, "bias offset", 0);
  const colony::Activation act = activation(a, 7);
  a.matrix("y", y.length, y_off, rows, cols, ldy);
  a.matrix("bias", bias.length, bias_off, 1, cols, cols);
  colony::bias_activation(y.data + y_off, ldy, rows, cols, bias.data + bias_off, act);
  return info.Env().Undefined();
}

Napi::Value ActivationBackward(const Napi::CallbackInfo& info) {
  const Args a(info, "activationBackward");
  const View<float> dy = a.f32(0, "dy");
  const int64_t dy_off = a.integer(1, "dy offset", 0);
  const int64_t lddy = a.integer(2, "dy stride", 0, kMaxDim);
  const View<float> y = a.f32(3, "y");
  const int64_t y_off = a.integer(4, "y offset", 0);
  const int64_t ldy = a.integer(5, "y stride", 0, kMaxDim);
  const int64_t rows = a.integer(6, "rows", 0);
  const int64_t cols = a.integer(7, "cols", 0);
  const colony::Activation act = activation(a, 8);
  a.matrix("dy", dy.length, dy_off, rows, cols, lddy);
  a.matrix("y", y.length, y_off, rows, cols, ldy);
  colony::activation_backward(dy.data + dy_off, lddy, y.data + y_off, ldy, rows, cols, act);
  return info.Env().Undefined();
}

Napi::Value BiasGrad(const Napi::CallbackInfo& info) {
  const Args a(info, "biasGrad");
  const View<float> dy = a.f32(0, "dy");
  const int64_t dy_off = a.integer(1, "dy offset", 0);
  const int64_t lddy = a.integer(2, "dy stride", 0, kMaxDim);
  const int64_t rows = a.integer(3, "rows", 0);
  const int64_t cols = a.integer(4, "cols", 0);
  const View<float> db = a.f32(5, "dBias");
  const int64_t db_off = a.integer(6, "dBias offset", 0);
  const bool accumulate = a.flag(7, "accumulate");
  a.matrix("dy", dy.length, dy_off, rows, cols, lddy);
  a.matrix("dBias", db.length, db_off, 1, cols, cols);
  colony::bias_grad(dy.data + dy_off, lddy, rows, cols, db.data + db_off, accumulate);
  return info.Env().Undefined();
}

Napi::Value BceWithLogits(const Napi::CallbackInfo& info) {
  const Args a(info, "bceWithLogits");
  const View<float> logits = a.f32(0, "logits");
  const View<float> labels = a.f32(1, "labels");
  const int64_t n = a.integer(2, "n", 0);
  const View<float> dlogits = a.f32(3, "dLogits");
  if (n > logits.length || n > labels.length || n > dlogits.length) {
    a.range_error("n = " + std::to_string(n) + " exceeds logits, labels or dLogits");
  }
  return Napi::Number::New(info.Env(), colony::bce_with_logits(logits.data, labels.data, n, dlogits.data));
}

/** The dense side of gather / scatterAdd: count items of dim floats, groups per row. */
colony::DenseSide dense_side(const Args& a, const char* name, const View<float>& v, int64_t offset, int64_t stride,
                             int64_t groups, int64_t count, int64_t dim) {
  if (count % groups != 0) {
    a.range_error(std::to_string(count) + " indices are not a whole number of rows of " + std::to_string(groups));
  }
  a.matrix(name, v.length, offset, count / groups, groups * dim, stride);
  return {v.data, offset, stride, groups};
}

Napi::Value Gather(const Napi::CallbackInfo& info) {
  const Args a(info, "gather");
  const View<float> table = a.f32(0, "table");
  const int64_t dim = a.integer(1, "dim", 1, kMaxDim);
  const View<int32_t> index = a.i32(2, "index");
  const View<float> out = a.f32(3, "out");
  const int64_t off = a.integer(4, "out offset", 0);
  const int64_t stride = a.integer(5, "out stride", 0, kMaxDim);
  const int64_t groups = a.integer(6, "groups", 1, kMaxDim);
  const colony::DenseSide side = dense_side(a, "out", out, off, stride, groups, index.length, dim);
  a.indices("index", index, table.length / dim);
  colony::gather(table.data, dim, index.data, index.length, side);
  return info.Env().Undefined();
}

Napi::Value ScatterAdd(const Napi::CallbackInfo& info) {
  const Args a(info, "scatterAdd");
  const View<float> src = a.f32(0, "src");
  const int64_t off = a.integer(1, "src offset", 0);
  const int64_t stride = a.integer(2, "src stride", 0, kMaxDim);
  const int64_t groups = a.integer(3, "groups", 1, kMaxDim);
  const View<int32_t> index = a.i32(4, "index");
  const View<float> table = a.f32(5, "table");
  const int64_t dim = a.integer(6, "dim", 1, kMaxDim);
  const colony::DenseSide side = dense_side(a, "src", src, off, stride, groups, index.length, dim);
  a.indices("index", index, table.length / dim);
  colony::scatter_add(side, index.data, index.length, table.data, dim);
  return info.Env().Undefined();
}

Napi::Value GatherSum(const Napi::CallbackInfo& info) {
  const Args a(info, "gatherSum");
  const View<float> table = a.f32(0, "table");
  const int64_t dim = a.integer(1, "dim", 1, kMaxDim);
  const View<int32_t> index = a.i32(2, "index");
  const View<int32_t> bags = a.i32(3, "bags");
  const View<float> out = a.f32(4, "out");
  const int64_t off = a.integer(5, "out offset", 0);
  const int64_t stride = a.integer(6, "out stride", 0, kMaxDim);
  if (bags.length < 1) a.range_error("bags needs at least one offset (bag count + 1)");
  int32_t prev = 0;
  for (int64_t b = 0; b < bags.length; ++b) {
    const int32_t o = bags.data[b];
    if (o < prev || o > index.length) {
      a.range_error("bags must be non-decreasing offsets in [0, " + std::to_string(index.length) + "]; bags[" +
                    std::to_string(b) + "] = " + std::to_string(o));
    }
    prev = o;
  }
  const int64_t bag_count = bags.length - 1;
  a.matrix("out", out.length, off, bag_count, dim, stride);
  a.indices("index", index, table.length / dim);
  colony::gather_sum(table.data, dim, index.data, bags.data, bag_count, out.data, off, stride);
  return info.Env().Undefined();
}

Napi::Value ReduceById(const Napi::CallbackInfo& info) {
  const Args a(info, "reduceById");
  const View<int32_t> ids = a.i32(0, "ids");
  const View<float> grads = a.f32(1, "grads");
  const int64_t dim = a.integer(2, "dim", 1, kMaxDim);
  const View<int32_t> out_ids = a.i32(3, "outIds");
  const View<float> out_grads = a.f32(4, "outGrads");
  const int64_t n = ids.length;
  if (grads.length < n * dim) a.range_error("grads holds fewer than ids.length × dim floats");
  if (out_ids.length < n) a.range_error("outIds is shorter than ids");
  if (out_grads.length < n * dim) a.range_error("outGrads holds fewer than ids.length × dim floats");
  const int64_t distinct = colony::reduce_by_id(ids.data, n, grads.data, dim, out_ids.data, out_grads.data);
  return Napi::Number::New(info.Env(), static_cast<double>(distinct));
}

/** Checks the shared arguments of the fused optimizer updates. */
void check_rows(const Args& a, const View<float>& params, int64_t dim, const View<int32_t>& rows,
                const View<float>& grads, int64_t state_rows) {
  const int64_t table_rows = params.length / dim;
  a.indices("rows", rows, state_rows < table_rows ? state_rows : table_rows);
  if (grads.length < rows.length * dim) a.range_error("grads holds fewer than rows.length × dim floats");
}

Napi::Value SgdRows(const Napi::CallbackInfo& info) {
  const Args a(info, "sgdRows");
  const View<float> params = a.f32(0, "params");
  const int64_t dim = a.integer(1, "dim", 1, kMaxDim);
  const View<int32_t> rows = a.i32(2, "rows");
  const View<float> grads = a.f32(3, "grads");
  const float lr = a.number(4, "lr");
  check_rows(a, params, dim, rows, grads, params.length / dim);
  colony::sgd_rows(params.data, dim, rows.data, rows.length, grads.data, lr);
  return info.Env().Undefined();
}

Napi::Value AdagradRows(const Napi::CallbackInfo& info) {
  const Args a(info, "adagradRows");
  const View<float> params = a.f32(0, "params");
  const View<float> state = a.f32(1, "state");
  const int64_t dim = a.integer(2, "dim", 1, kMaxDim);
  const View<int32_t> rows = a.i32(3, "rows");
  const View<float> grads = a.f32(4, "grads");
  const float lr = a.number(5, "lr");
  const float eps = a.number(6, "eps");
  check_rows(a, params, dim, rows, grads, state.length / dim);
  colony::adagrad_rows(params.data, state.data, dim, rows.data, rows.length, grads.data, lr, eps);
  return info.Env().Undefined();
}

Napi::Value AdamRows(const Napi::CallbackInfo& info) {
  const Args a(info, "adamRows");
  const View<float> params = a.f32(0, "params");
  const View<float> state = a.f32(1, "state");
  const int64_t dim = a.integer(2, "dim", 1, kMaxDim);
  const View<int32_t> rows = a.i32(3, "rows");
  const View<float> grads = a.f32(4, "grads");
  const float lr = a.number(5, "lr");
  const float beta1 = a.number(6, "beta1");
  const float beta2 = a.number(7, "beta2");
  const float eps = a.number(8, "eps");
  check_rows(a, params, dim, rows, grads, state.length / (2 * dim + 1));
  colony::adam_rows(params.data, state.data, dim, rows.data, rows.length, grads.data, lr, beta1, beta2, eps);
  return info.Env().Undefined();
}

Napi::Value SetThreads(const Napi::CallbackInfo& info) {
  const Args a(info, "setThreads");
  const int64_t t = a.integer(0, "threads", 1, 64);
  return Napi::Number::New(info.Env(), colony::set_gemm_threads(static_cast<int>(t)));
}

Napi::Value SetBaselineIsa(const Napi::CallbackInfo& info) {
  const Args a(info, "setBaselineIsa");
  return Napi::String::New(info.Env(), colony::set_gemm_baseline(a.flag(0, "baseline")));
}

Napi::Value Info(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object o = Napi::Object::New(env);
  o.Set("abi", Napi::Number::New(env, kAbiVersion));
  o.Set("isa", Napi::String::New(env, colony::gemm_isa()));
  o.Set("threads", Napi::Number::New(env, colony::gemm_threads()));
  o.Set("hardwareThreads", Napi::Number::New(env, std::thread::hardware_concurrency()));
  o.Set("cuda", Napi::Boolean::New(env, false));
  return o;
}

/** Turns a C++ exception other than a JS error (std::bad_alloc from scratch) into a JS Error. */
template <Napi::Value (*F)(const Napi::CallbackInfo&)>
Napi::Value Guarded(const Napi::CallbackInfo& info) {
  try {
    return F(info);
  } catch (const Napi::Error&) {
    throw;
  } catch (const std::exception& e) {
    throw Napi::Error::New(info.Env(), std::string("native kernel failed: ") + e.what());
  }
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("gemm", Napi::Function::New(env, Guarded<Gemm>, "gemm"));
  exports.Set("gemmAsync", Napi::Function::New(env, Guarded<GemmAsync>, "gemmAsync"));
  exports.Set("biasActivation", Napi::Function::New(env, Guarded<BiasActivation>, "biasActivation"));
  exports.Set("activationBackward", Napi::Function::New(env, Guarded<ActivationBackward>, "activationBackward"));
  exports.Set("biasGrad", Napi::Function::New(env, Guarded<BiasGrad>, "biasGrad"));
  exports.Set("bceWithLogits", Napi::Function::New(env, Guarded<BceWithLogits>, "bceWithLogits"));
  exports.Set("gather", Napi::Function::New(env, Guarded<Gather>, "gather"));
  exports.Set("scatterAdd", Napi::Function::New(env, Guarded<ScatterAdd>, "scatterAdd"));
  exports.Set("gatherSum", Napi::Function::New(env, Guarded<GatherSum>, "gatherSum"));
  exports.Set("reduceById", Napi::Function::New(env, Guarded<ReduceById>, "reduceById"));
  exports.Set("sgdRows", Napi::Function::New(env, Guarded<SgdRows>, "sgdRows"));
  exports.Set("adagradRows", Napi::Function::New(env, Guarded<AdagradRows>, "adagradRows"));
  exports.Set("adamRows", Napi::Function::New(env, Guarded<AdamRows>, "adamRows"));
  exports.Set("setThreads", Napi::Function::New(env, Guarded<SetThreads>, "setThreads"));
  exports.Set("setBaselineIsa", Napi::Function::New(env, Guarded<SetBaselineIsa>, "setBaselineIsa"));
  exports.Set("info", Napi::Function::New(env, Guarded<Info>, "info"));
  return exports;
}

}  // namespace

NODE_API_MODULE(colony_native, Init)
