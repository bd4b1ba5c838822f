#pragma once

namespace prodcat {
inline constexpr const char* kVersion = "0.1.0";
}  // namespace prodcat
