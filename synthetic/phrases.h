// The phrasebook behind synthetic free text (see synthetic_text.h): phrase
// templates with @ slots, by care setting, category, harm and story, and the
// places and placeholder names they mention. Every span is non-empty unless
// stated otherwise, and valid for the life of the program.
#pragma once

#include <span>
#include <string_view>

#include "core/incident_event.h"
#include "synthetic/catalogue.h"
#include "synthetic/text.h"

namespace vigil::synthetic {

// Text for a routine report: setting-specific where generic text would not
// fit (a GP practice has no bays), else generic for the category.
std::span<const std::string_view> routine_phrases(CareSetting setting, Category category);
// Text for a never event of `category` (treatment, medication or blood).
std::span<const std::string_view> never_event_phrases(Category category);
// Text of a planted risk's own recurring wording; empty for kRoutine,
// kNeverEvent and kFallsCluster, which use the routine phrases.
std::span<const std::string_view> story_phrases(Story story);
// The closing sentence on harm.
std::span<const std::string_view> outcome_phrases(PhysicalHarm harm);
// The closing sentence for a fall with moderate or severe harm.
std::span<const std::string_view> fall_injury_phrases();
std::span<const std::string_view> immediate_actions();
// What @W names in `area`: wards, places, "scene".
std::span<const std::string_view> places(ServiceArea area);
// Placeholder patient names (Mr J. Bloggs, ...).
std::span<const std::string_view> fake_names();

}  // namespace vigil::synthetic
