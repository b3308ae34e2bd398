// The one escaping function for text that goes into HTML or SVG markup
// outside the mustache templates (which escape the same five characters by
// default): everything that came from a signal (keys, names, detector
// names, ids) passes through it before it is written into the SVG charts.
#pragma once

#include <string>
#include <string_view>

namespace vigil {

// `text` with & < > " ' replaced by entities: safe as element content and
// inside a quoted attribute value.
std::string escape_html(std::string_view text);

}  // namespace vigil
