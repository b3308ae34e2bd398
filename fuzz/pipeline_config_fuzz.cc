// libFuzzer target: the configuration parser (config/pipeline_config.h), fed
// any bytes as the text of `vigil.yaml`. It must refuse what it cannot use
// with an error naming the source, never crash, hang or throw, and build each
// detector it accepts (parse_pipeline_config validates every one).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "config/pipeline_config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto parsed = vigil::parse_pipeline_config(text, "vigil.yaml");
  if (!parsed.is_ok() && parsed.error().message.rfind("vigil.yaml", 0) != 0) std::abort();
  return 0;
}
