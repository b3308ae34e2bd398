// The review application's templates (web/templates/) and static files
// (web/static/), compiled into the binary by web/embed_assets.cmake, so
// `vigil serve` serves nothing it did not ship with and needs no files
// beside the binary.
#pragma once

#include <optional>
#include <string_view>

namespace vigil {

// The file's text by its path under web/, e.g. "templates/queue.mustache"
// or "static/review.css"; nullopt for a name that was not embedded.
std::optional<std::string_view> web_asset(std::string_view name);

}  // namespace vigil
