// Charts of the numbers behind a signal, drawn on the server as SVG (no
// script, nothing loaded from elsewhere), from exactly the numbers the
// detector judged (the signal's data.series and data.funnel).
//
// Stable hooks for tests and style: every period of a series and every unit
// of a funnel is one element of class "point" (with "flagged" where the
// detector's verdict was an alarm, or the unit lies outside its limits, and
// "highlighted" for the signal's own unit); lines have the classes
// "observed", "expected", "threshold", "limit" and "target". Every text
// from the signal (units, names, measure) is escaped (web/html_escape.h).
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "core/signal.h"

namespace vigil {

// Observed value per period as points joined by a line, with the expected
// and threshold lines (broken where the method gave none) and the flagged
// periods marked. An empty series gives an empty string.
std::string render_series_chart(const SignalSeries& series);

// Each unit's ratio observed/expected against its expected count, the
// limits as lines over expected, the target ratio 1, and `own_unit`
// highlighted. `unit_label` names a unit in tooltips (e.g. "Name (RXX)").
// A unit with nothing expected has no ratio: it is drawn at the plot's top
// edge if it has observed reports, at 0 otherwise, and its tooltip says so.
std::string render_funnel_chart(const FunnelPlot& funnel, std::string_view own_unit,
                                const std::function<std::string(std::string_view)>& unit_label);

}  // namespace vigil
