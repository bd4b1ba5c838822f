// Admin authentication: a bearer token read from --admin-token-file or PRODCAT_ADMIN_TOKEN.
// Without a token the admin endpoints are disabled.
#pragma once

#include <string>
#include <string_view>

#include "prodcat/common/status.h"

namespace prodcat::serving {

// The token from `token_file` (surrounding whitespace trimmed) when given, else from the
// environment variable `env_name`; "" when neither is set. An empty or unreadable file is an
// error (a typo must not silently disable authentication).
Status LoadAdminToken(const std::string& token_file, const char* env_name, std::string* token);

// True when `authorization` is "Bearer <token>" with exactly `token` (compared in constant time).
bool IsAuthorizedBearer(const std::string* authorization, std::string_view token);

}  // namespace prodcat::serving
