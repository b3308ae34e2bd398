// Builds a translation unit's simdjson On-Demand code for one CPU kernel.
//
// simdjson 3.0 compiles On-Demand (header-only templates) for one kernel
// only, its "builtin" one, chosen from the compiler's target flags: built
// without -march, as Debian's package and we are, that is `fallback`, scalar
// code that reads strings, numbers and structure a byte at a time (the
// library's structural-index pass alone picks AVX2 at run time). To run the
// haswell (AVX2) kernel without requiring AVX2 of every CPU, each file that
// walks JSON is compiled once per kernel: a small `<name>_<kernel>.cc`
// defines VIGIL_JSON_KERNEL (`fallback` or `haswell`) and includes the shared
// body, which includes this header first and puts its code in namespace
// vigil::VIGIL_JSON_KERNEL. The caller picks one kernel at run time
// (best_json_kernel(), json_kernel_choice.h) and calls only that one's code.
//
// The haswell files are compiled with -mavx2 -mbmi -mpclmul -mlzcnt and
// -fno-weak (CMakeLists.txt, vigil_json_kernel_sources). -fno-weak matters:
// inline functions and template instantiations (std::vector's growth, our own
// inline helpers) are otherwise emitted as weak symbols in every file that
// uses them, and the linker keeps any one copy, which could be the AVX2 one,
// crashing a CPU without AVX2 in the fallback path. With -fno-weak every such
// copy stays local to the AVX2 file. The price is a little duplicated code.
//
// Where the haswell kernel cannot be built (not x86-64, or not GCC, whose
// -fno-weak the isolation relies on), VIGIL_HASWELL_JSON_KERNEL is 0, the
// haswell files compile to nothing and fallback is the only kernel.
#pragma once

#if !defined(VIGIL_JSON_KERNEL)
#error "define VIGIL_JSON_KERNEL (fallback or haswell) before including ingest/json_kernel.h"
#endif
#ifdef SIMDJSON_H
#error "ingest/json_kernel.h must be the first to include <simdjson.h> in its translation unit"
#endif

// Distinguishes the kernels in the preprocessor (the macro expands to a bare
// word, which #if cannot compare).
#define VIGIL_JSON_KERNEL_ID_fallback 1
#define VIGIL_JSON_KERNEL_ID_haswell 2
#define VIGIL_JSON_KERNEL_ID_(k) VIGIL_JSON_KERNEL_ID_##k
#define VIGIL_JSON_KERNEL_ID(k) VIGIL_JSON_KERNEL_ID_(k)

#if VIGIL_JSON_KERNEL_ID(VIGIL_JSON_KERNEL) == 2
#if !VIGIL_HASWELL_JSON_KERNEL
#error "the haswell JSON kernel is not built here; guard the file with VIGIL_HASWELL_JSON_KERNEL"
#endif
// The instruction sets simdjson's haswell kernel is built for, which its
// supported_by_runtime_system() checks the CPU for.
#if !defined(__AVX2__) || !defined(__BMI__) || !defined(__PCLMUL__) || !defined(__LZCNT__)
#error "compile haswell JSON kernel files with -mavx2 -mbmi -mpclmul -mlzcnt -fno-weak"
#endif
#define SIMDJSON_BUILTIN_IMPLEMENTATION haswell
#elif VIGIL_JSON_KERNEL_ID(VIGIL_JSON_KERNEL) == 1
#define SIMDJSON_BUILTIN_IMPLEMENTATION fallback
#else
#error "VIGIL_JSON_KERNEL must be fallback or haswell"
#endif

#include <simdjson.h>
