// The review queue at the scale the issue asks for: a store file with
// 100,000 signals (a two-year backlog of a busy national deployment, with a
// CloudEvents JSON of realistic size each and a few thousand decisions),
// then the queries the pages make. Times are per query, in milliseconds.
//
//   build/review_store_bench --benchmark_min_time=0.5
//
// Filling the store is done once per run, in batches of 1,000 signals, and
// is not part of the figures (its time is printed). VIGIL_BENCH_KEEP=1 keeps
// the file, to look at the query plans with the sqlite3 shell;
// VIGIL_BENCH_DIR names the directory it goes in (default: the temp dir).
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "review/review_store.h"

namespace {

constexpr int kSignals = 100000;
constexpr int kDecisions = 5000;
constexpr size_t kBatch = 1000;  // signals per transaction, as a consumer's poll

const char* const kRegions[] = {"Y56", "Y58", "Y59", "Y60", "Y61", "Y62", "Y63"};
const char* const kRegionNames[] = {"London",
                                    "South West",
                                    "South East",
                                    "Midlands",
                                    "East of England",
                                    "North West",
                                    "North East and Yorkshire"};
const char* const kCategories[] = {"fall",      "medication", "pressure_ulcer", "treatment",
                                   "diagnosis", "device",     "infection",      "blood"};
const char* const kDetectors[] = {"national_falls",       "org_medication", "region_device",
                                  "medicines_ic",         "medicines_ebgm", "org_funnel",
                                  "ethnicity_inequality", "volume_drop"};

std::string org_code(int i) {
  char code[8];
  std::snprintf(code, sizeof code, "R%c%c", 'A' + i % 23, 'A' + (i / 23) % 23);
  return code;
}

// About the size of a real signal's CloudEvents JSON with a 52-period series.
std::string cloudevent(const vigil::Signal& s) {
  std::string json = "{\"specversion\":\"1.0\",\"id\":\"" + s.signal_id + "-" +
                     std::to_string(s.sequence) + "\",\"data\":{\"series\":[";
  for (int p = 0; p < 52; ++p) {
    if (p) json += ',';
    json += "{\"start\":\"2024-01-01\",\"end\":\"2024-01-07\",\"value\":" + std::to_string(p % 9) +
            ",\"expected\":3.25,\"threshold\":7.5}";
  }
  return json + "]}}";
}

struct Fixture {
  std::filesystem::path dir;
  vigil::ReferenceNames names;
  std::unique_ptr<vigil::ReviewStore> store;
  std::vector<std::string> ids;

  Fixture() {
    const char* parent = std::getenv("VIGIL_BENCH_DIR");
    dir = (parent ? std::filesystem::path(parent) : std::filesystem::temp_directory_path()) /
          ("vigil-review-bench-" + std::to_string(getpid()));
    std::filesystem::remove_all(dir);
    for (int r = 0; r < 7; ++r) names.add("region", kRegions[r], kRegionNames[r]);
    for (int o = 0; o < 400; ++o) {
      names.add("org", org_code(o), "Trust number " + std::to_string(o) + " NHS Foundation Trust");
    }
    auto opened = vigil::ReviewStore::open((dir / "review.sqlite").string(), names);
    if (!opened) throw std::runtime_error(opened.error().message);
    store = std::move(opened).value();

    std::mt19937_64 rng(11);
    const auto start = std::chrono::steady_clock::now();
    std::vector<vigil::ReviewStore::SignalEvent> batch;
    for (int i = 0; i < kSignals; ++i) {
      vigil::Signal s;
      char id[17];
      std::snprintf(id, sizeof id, "%016llx", static_cast<unsigned long long>(rng()));
      s.signal_id = id;
      const int detector = static_cast<int>(rng() % 8);
      s.detector = kDetectors[detector];
      s.method = detector == 3 ? "ic" : detector == 4 ? "ebgm" : "farrington_flexible";
      const int region = static_cast<int>(rng() % 7);
      switch (detector % 4) {
        case 0:
          s.key = {{"category", kCategories[rng() % 8]}};
          break;
        case 1:
          s.key = {{"org", org_code(static_cast<int>(rng() % 400))}, {"category", "medication"}};
          break;
        case 2:
          s.key = {{"region", kRegions[region]},
                   {"device", "0506358010" + std::to_string(rng() % 1000)}};
          break;
        default:
          s.key = {{"region", kRegions[region]},
                   {"medication", std::to_string(34172631000001108ull + rng() % 500)}};
          break;
      }
      s.fired_at = vigil::Date{19700 + static_cast<int32_t>(rng() % 730)};
      s.period_end = vigil::Date{s.fired_at.days - 1};
      s.period_start = vigil::Date{s.fired_at.days - 7};
      s.type = rng() % 3 == 0 ? vigil::SignalType::kResolved : vigil::SignalType::kRaised;
      s.sequence = s.type == vigil::SignalType::kResolved ? 2 : 1;
      s.observed = 5 + static_cast<int64_t>(rng() % 60);
      s.expected = 4;
      s.threshold = 9;
      s.severity = static_cast<vigil::Severity>(rng() % 4);
      s.evidence_orgs = static_cast<int64_t>(rng() % 40);
      s.statistics = {{"ic025", static_cast<double>(rng() % 30) / 10}};
      s.summary = "A signal summary line of about the usual length for the queue's column.";
      ids.push_back(s.signal_id);
      std::string json = cloudevent(s);
      batch.push_back({std::move(s), std::move(json)});
      if (batch.size() == kBatch || i + 1 == kSignals) {
        if (auto st = store->add_signals(batch); !st) throw std::runtime_error(st.message());
        batch.clear();
      }
    }
    for (int i = 0; i < kDecisions; ++i) {
      vigil::DecisionRequest r;
      r.state = i % 2 ? vigil::ReviewState::kUnderReview : vigil::ReviewState::kKnownIssue;
      r.reason = "reviewed in the weekly meeting";
      auto d =
          store->prepare_decision(ids[static_cast<size_t>(i) * 13], r, "bench", 1700000000000 + i);
      if (!d) throw std::runtime_error(d.error().message);
      if (auto st = store->apply_decision(d.value()); !st) throw std::runtime_error(st.message());
    }
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::fprintf(stderr, "filled %d signals and %d decisions in %.1f s (%s)\n", kSignals,
                 kDecisions, seconds, (dir / "review.sqlite").c_str());
  }
  ~Fixture() {
    store.reset();
    if (std::getenv("VIGIL_BENCH_KEEP") == nullptr) std::filesystem::remove_all(dir);
  }
};

Fixture& fixture() {
  static Fixture f;
  return f;
}

void run_query(benchmark::State& state, const vigil::SignalQuery& q) {
  auto& store = *fixture().store;
  size_t total = 0;
  for (auto _ : state) {
    auto page = store.query(q);
    if (!page) {
      state.SkipWithError(page.error().message.c_str());
      return;
    }
    total = page.value().total;
    benchmark::DoNotOptimize(page);
  }
  state.counters["matching"] = static_cast<double>(total);
}

void BM_DefaultQueuePage(benchmark::State& state) { run_query(state, vigil::SignalQuery{}); }

void BM_DeepQueuePage(benchmark::State& state) {
  vigil::SignalQuery q;
  q.offset = 20000;
  run_query(state, q);
}

void BM_FilteredQuery(benchmark::State& state) {
  vigil::SignalQuery q;
  q.region = "Y56";
  q.severity = vigil::Severity::kHigh;
  q.state = vigil::ReviewState::kNew;
  run_query(state, q);
}

void BM_FilteredByOrganisation(benchmark::State& state) {
  vigil::SignalQuery q;
  q.org = org_code(17);
  run_query(state, q);
}

void BM_TextSearchOnNames(benchmark::State& state) {
  vigil::SignalQuery q;
  q.text = "north west";
  run_query(state, q);
}

void BM_TextSearchRare(benchmark::State& state) {
  vigil::SignalQuery q;
  q.text = "trust number 123 ";
  q.status = "all";
  run_query(state, q);
}

void BM_Get(benchmark::State& state) {
  auto& f = fixture();
  size_t i = 0;
  for (auto _ : state) {
    auto detail = f.store->get(f.ids[(i++ * 7919) % f.ids.size()]);
    if (!detail) {
      state.SkipWithError(detail.error().message.c_str());
      return;
    }
    benchmark::DoNotOptimize(detail);
  }
}

BENCHMARK(BM_DefaultQueuePage)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_DeepQueuePage)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_FilteredQuery)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_FilteredByOrganisation)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_TextSearchOnNames)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_TextSearchRare)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Get)->Unit(benchmark::kMillisecond);

}  // namespace
