// Request ids: a client's X-Request-Id is kept when it is safe to echo into headers and logs;
// otherwise the server makes a fresh 128-bit random id.
#pragma once

#include <string>
#include <string_view>

namespace prodcat::serving {

inline constexpr size_t kMaxRequestIdLength = 128;

// 1..128 printable ASCII characters (0x21..0x7e): no spaces, no control bytes, no header
// injection.
bool IsValidRequestId(std::string_view id);
// 32 lower-case hex digits from a per-thread generator seeded by std::random_device.
std::string NewRequestId();

}  // namespace prodcat::serving
