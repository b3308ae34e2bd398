// The hot path against its yardstick: simdjson On-Demand merely parsing the
// input (visiting every field), our decoder (parse + every contract rule),
// and the whole partition task (decode, dedupe, detectors, batched commit).
// Items per second are events per second on one core.
#include <benchmark/benchmark.h>
#include <simdjson.h>

#include <filesystem>

#include "config/pipeline_config.h"
#include "ingest/event_decoder.h"
#include "pipeline/partition_task.h"
#include "synthetic/stream.h"

namespace {

const std::vector<std::string>& lines() {
  static const std::vector<std::string> cached = [] {
    vigil::SyntheticStreamOptions o;
    o.events_per_year = 3.3e6;
    o.days = 40;
    std::vector<std::string> out;
    vigil::SyntheticStream stream(o);
    std::string line;
    while (out.size() < 200000 && stream.next(line)) {
      out.push_back(line);
      line.clear();
    }
    return out;
  }();
  return cached;
}

int64_t total_bytes() {
  int64_t n = 0;
  for (const auto& l : lines()) n += static_cast<int64_t>(l.size());
  return n;
}

// Recursively touches every value, so On-Demand validates the whole document.
void visit(simdjson::ondemand::value v, size_t& sink) {
  switch (v.type()) {
    case simdjson::ondemand::json_type::object:
      for (auto field : v.get_object()) {
        sink += field.unescaped_key().value().size();
        visit(field.value(), sink);
      }
      break;
    case simdjson::ondemand::json_type::array:
      for (auto element : v.get_array()) visit(element.value(), sink);
      break;
    case simdjson::ondemand::json_type::string: sink += v.get_string().value().size(); break;
    case simdjson::ondemand::json_type::number: sink += static_cast<size_t>(v.get_double().value()); break;
    case simdjson::ondemand::json_type::boolean: sink += v.get_bool().value(); break;
    case simdjson::ondemand::json_type::null: break;
  }
}

void BM_SimdjsonParseOnly(benchmark::State& state) {
  simdjson::ondemand::parser parser;
  std::vector<simdjson::padded_string> padded;
  for (const auto& l : lines()) padded.emplace_back(l);
  size_t sink = 0;
  for (auto _ : state) {
    for (auto& p : padded) {
      auto doc = parser.iterate(p);
      visit(doc.get_value().value(), sink);
    }
  }
  benchmark::DoNotOptimize(sink);
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(lines().size()));
  state.SetBytesProcessed(state.iterations() * total_bytes());
}
BENCHMARK(BM_SimdjsonParseOnly)->Unit(benchmark::kMillisecond);

void BM_DecodeAndValidate(benchmark::State& state) {
  vigil::EventDecoder decoder;
  vigil::IncidentEvent event;
  vigil::DecodeFailure failure;
  size_t valid = 0;
  for (auto _ : state) {
    for (const auto& l : lines()) valid += decoder.decode(l, event, failure);
  }
  benchmark::DoNotOptimize(valid);
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(lines().size()));
  state.SetBytesProcessed(state.iterations() * total_bytes());
}
BENCHMARK(BM_DecodeAndValidate)->Unit(benchmark::kMillisecond);

void BM_PartitionTask(benchmark::State& state) {
  auto config = vigil::load_pipeline_config("");
  for (auto _ : state) {
    state.PauseTiming();
    std::string dir = (std::filesystem::temp_directory_path() / "vigil-bench-XXXXXX").string();
    if (mkdtemp(dir.data()) == nullptr) state.SkipWithError("mkdtemp");
    {
      vigil::StateStoreOptions o;
      o.path = dir;
      auto store = vigil::StateStore::open(o);
      auto task = vigil::PartitionTask::open(0, *store.value(), config.value().detectors, nullptr);
      state.ResumeTiming();
      int64_t offset = 0;
      for (const auto& l : lines()) {
        task.value()->process(l, offset++);
        if (task.value()->uncommitted() >= 5000) {
          if (!task.value()->commit().is_ok()) state.SkipWithError("commit");
        }
      }
      if (!task.value()->commit().is_ok()) state.SkipWithError("commit");
      state.PauseTiming();
    }
    std::filesystem::remove_all(dir);
    state.ResumeTiming();
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(lines().size()));
  state.SetBytesProcessed(state.iterations() * total_bytes());
}
BENCHMARK(BM_PartitionTask)->Unit(benchmark::kMillisecond)->Iterations(3);

}  // namespace
