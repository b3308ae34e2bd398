// Inputs shared by the text_cluster tests: a configuration that fires within
// weeks of a small stream, routine ward wordings for its background and the
// emerging glucometer wording that forms a cluster.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "detectors/text_cluster.h"
#include "tests/detector_harness.h"

namespace vigil::testing {

// Seven-day window over a fourteen-day baseline, warm after 60 reports; a
// cluster needs five reports from three organisations.
inline TextClusterConfig small_text_cluster_config(std::string name) {
  TextClusterConfig c;
  c.name = std::move(name);
  c.window_days = 7;
  c.baseline_days = 14;
  c.min_reports = 5;
  c.min_orgs = 3;
  c.min_ratio = 3;
  c.alpha = 0.001;
  c.warmup_reports = 60;
  c.background_share = 0.3;
  return c;
}

// Background wordings, each with a ward placeholder %W (see fill_ward).
inline constexpr std::string_view kRoutineWordings[] = {
    "Patient fell on %W ward while walking to the toilet unaided.",
    "Patient dose of antibiotics omitted on %W ward; chart unchecked overnight.",
    "Patient pressure ulcer found on admission to %W ward; skin assessment missing.",
    "Patient cannula left in situ on %W ward; phlebitis noted by staff.",
    "Patient discharge from %W ward delayed awaiting transport home.",
    "Patient observations not recorded on %W ward for several hours.",
};
inline constexpr std::string_view kWards[] = {"Elm", "Oak", "Ash", "Birch"};
inline constexpr std::string_view kOrgs[] = {"RA1", "RB2", "RC3", "RD4", "RE5", "RF6"};

// The emerging wording: a new meter misreading, with identifiers in it that
// must never be stored or sent.
inline constexpr std::string_view kClusterWording =
    "New glucometer brand shows falsely high readings when strips inserted sideways; insulin "
    "given on %W ward. Mrs Smith, NHS number 943 476 5919, DOB 14/03/1950.";

// `text` with its %W replaced by `ward`.
inline std::string fill_ward(std::string_view text, std::string_view ward) {
  std::string out(text);
  out.replace(out.find("%W"), 2, ward);
  return out;
}

struct TextStream {
  std::vector<FeedStep> steps;
  std::vector<std::string> cluster_ids;
  std::vector<std::string> descriptions;
};

// Days 0..59 of steady background text (12 reports a day), and on day 41
// eight reports of the new wording from four organisations. With
// `revise`, one cluster report is revised on day 43 into routine text. With
// `confined`, every cluster report comes from one trust and ethnic group
// `group`; with `background_group`, every routine report records that group.
inline TextStream make_text_stream(bool revise, bool confined = false, char group = 'N', char background_group = 0) {
  TextStream s;
  int n = 0;
  const Date start = date("2024-03-01");
  for (int day = 0; day < 60; ++day) {
    const Date on{start.days + day};
    for (int i = 0; i < 12; ++i, ++n) {
      const std::string d = fill_ward(kRoutineWordings[(n * 7 + day) % 6], kWards[(n / 6 + i) % 4]);
      s.descriptions.push_back(d);
      TestEvent e("R" + std::to_string(n), on);
      e.org(kOrgs[(n * 5 + day) % 6]).category("treatment").service_area("acute_inpatient").description(d);
      if (background_group != 0) e.patient("66-75", "male", background_group, 5);
      s.steps.push_back(FeedStep{std::move(e), -1});
    }
    if (day == 41) {
      for (int k = 0; k < 8; ++k) {
        const int c = static_cast<int>(s.cluster_ids.size());
        const std::string id = "C" + std::to_string(c);
        const std::string d = fill_ward(kClusterWording, kWards[c % 4]);
        s.descriptions.push_back(d);
        TestEvent e(id, on);
        e.org(kOrgs[confined ? 0 : c % 4]).category("device").service_area("acute_inpatient").description(d);
        if (confined) e.patient("26-35", "female", group, 3);
        s.cluster_ids.push_back(id);
        s.steps.push_back(FeedStep{std::move(e), -1});
      }
    }
    if (revise && day == 43) {
      // The old contents come back from the per-id record: no description.
      TestEvent old("C1", Date{start.days + 41});
      old.org(kOrgs[1]).category("device").service_area("acute_inpatient");
      s.steps.push_back(FeedStep{std::move(old), -1});
      const int old_index = static_cast<int>(s.steps.size()) - 1;
      const std::string d = fill_ward(kRoutineWordings[0], "Oak");
      TestEvent revised("C1", Date{start.days + 41});
      revised.revision(1).org(kOrgs[1]).category("treatment").service_area("acute_inpatient").description(d);
      s.descriptions.push_back(d);
      s.steps.push_back(FeedStep{std::move(revised), old_index});
    }
  }
  return s;
}

}  // namespace vigil::testing
