// Which simdjson On-Demand kernel to run (see json_kernel.h): chosen once,
// from what the CPU supports.
#pragma once

#include <string_view>

namespace vigil {

enum class JsonKernel {
  kFallback,  // scalar, runs everywhere
  kHaswell,   // AVX2, BMI1, PCLMUL and LZCNT (x86-64 CPUs since about 2013)
};

// The fastest kernel this CPU runs, decided on the first call: haswell when
// simdjson says the CPU supports it, else fallback. VIGIL_JSON_KERNEL=fallback
// in the environment forces fallback (to test it and to measure the
// difference); any other value is ignored.
JsonKernel best_json_kernel();

// "fallback" or "haswell", simdjson's names.
std::string_view json_kernel_name(JsonKernel kernel);

}  // namespace vigil
