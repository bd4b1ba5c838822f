// Opaque page tokens: base64 of {"offset": N}. Clients pass them back unchanged; a token that
// does not decode is the caller's error (INVALID_PARAMETER_VALUE).
#pragma once

#include <cstdint>
#include <string>

#include "prodcat/common/status.h"

namespace prodcat::tracking {

std::string EncodePageToken(int64_t offset);
// An empty token is offset 0.
Status DecodePageToken(const std::string& token, int64_t* offset);

std::string Base64Encode(const std::string& bytes);
Status Base64Decode(const std::string& text, std::string* bytes);

}  // namespace prodcat::tracking
