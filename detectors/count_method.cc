#include "detectors/count_method.h"

#include "detectors/ears.h"

namespace vigil {
namespace {

class EarsMethod final : public CountMethod {
 public:
  EarsMethod(std::string name, EarsParams params) : name_(std::move(name)), params_(params) {}
  std::string_view name() const override { return name_; }
  size_t history_length() const override { return ears_required_history(params_); }
  SeriesPoint evaluate(std::span<const double> window) const override {
    auto point = ears_point(window, params_);
    // The detector always passes a full window, so an error here means no
    // verdict for this point rather than a failure of the pipeline.
    return point ? point.value() : SeriesPoint{};
  }

 private:
  std::string name_;
  EarsParams params_;
};

}  // namespace

Result<std::unique_ptr<CountMethod>> make_count_method(std::string_view method,
                                                       const MethodParams& params) {
  if (method == "earsC1" || method == "earsC2" || method == "earsC3") {
    auto parsed = parse_ears_params(method, params);
    if (!parsed) return parsed.error();
    return std::unique_ptr<CountMethod>(new EarsMethod(std::string(method), parsed.value()));
  }
  return make_error(ErrorKind::kInvalidArgument,
                    "unknown count method '" + std::string(method) +
                        "' (streaming detectors know earsC1, earsC2, earsC3)");
}

}  // namespace vigil
