// Helpers for reading request bodies with simdjson On Demand without copying them.
#pragma once

#include <simdjson.h>

#include <string>

namespace prodcat::serving {

// A view of `body` with simdjson's required padding, added to its capacity (not its contents).
inline simdjson::padded_string_view PaddedView(std::string* body) {
  body->reserve(body->size() + simdjson::SIMDJSON_PADDING);
  return simdjson::padded_string_view(body->data(), body->size(), body->capacity());
}

// After the root value was read completely: true when more tokens follow it ("{} x").
inline bool HasTrailingContent(simdjson::ondemand::document& doc) {
  const char* location = nullptr;
  return !doc.current_location().get(location);
}

}  // namespace prodcat::serving
