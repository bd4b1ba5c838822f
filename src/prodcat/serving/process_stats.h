// Process figures for /metrics, read from /proc (Linux).
#pragma once

#include <cstdint>

namespace prodcat::serving {

// Resident set size in bytes, from /proc/self/statm; 0 when unreadable.
uint64_t ResidentMemoryBytes();
// Peak resident set size in bytes (VmHWM in /proc/self/status); 0 when unreadable.
uint64_t PeakResidentMemoryBytes();
// User + system CPU time of the process, in seconds.
double CpuSeconds();

}  // namespace prodcat::serving
