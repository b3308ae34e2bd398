// Inputs shared by the text_cluster tests: a configuration that fires within
// weeks of a small stream, routine ward wordings for its background and the
// emerging glucometer wording that forms a cluster.
#pragma once

#include <string>
#include <string_view>

#include "detectors/text_cluster.h"

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

}  // namespace vigil::testing
