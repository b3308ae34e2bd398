// Redaction speed on synthetic descriptions (ns per description): the text
// detector redacts every description during replay, so the budget is about
// 2 us for a typical 150-300 byte description without identifiers.
#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "synthetic/text.h"
#include "text/redaction.h"
#include "text/redaction_defaults.h"

namespace {

std::vector<std::string> descriptions(size_t count) {
  std::vector<std::string> out;
  for (size_t i = 0; i < count; ++i) {
    vigil::synthetic::DescriptionFacts facts;
    facts.category = static_cast<vigil::synthetic::Category>(i % vigil::synthetic::kCategoryCount);
    facts.area =
        static_cast<vigil::synthetic::ServiceArea>((i / 3) % vigil::synthetic::kServiceAreaCount);
    facts.harm = static_cast<vigil::PhysicalHarm>((i / 7) % 6);
    facts.story = static_cast<vigil::synthetic::Story>((i / 11) % 7);
    if (i % 4 == 1) facts.drug = "insulin";
    facts.multi_line = i % 6 == 0;
    std::string text;
    vigil::synthetic::write_description(facts, 0xbe7c0000 + i * 7919, text);
    out.push_back(std::move(text));
  }
  return out;
}

void BM_RedactSyntheticDescription(benchmark::State& state) {
  const auto texts = descriptions(4096);
  size_t bytes = 0;
  for (const auto& t : texts) bytes += t.size();
  const auto redactor = vigil::Redactor::make(vigil::default_redaction_rules()).value();
  size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(redactor.redact(texts[i++ & 4095]));
  }
  state.counters["bytes_per_description"] = static_cast<double>(bytes) / texts.size();
}
BENCHMARK(BM_RedactSyntheticDescription);

void BM_FindSyntheticDescription(benchmark::State& state) {
  const auto texts = descriptions(4096);
  const auto redactor = vigil::Redactor::make(vigil::default_redaction_rules()).value();
  size_t i = 0;
  for (auto _ : state) benchmark::DoNotOptimize(redactor.find(texts[i++ & 4095]));
}
BENCHMARK(BM_FindSyntheticDescription);

}  // namespace
