#include "prodcat/data/fingerprint.h"

#include <bit>
#include <cstdint>

#include "prodcat/common/sha256.h"

namespace prodcat {
namespace {

// Little-endian fixed width, so the bytes do not depend on the host.
void AppendU64(uint64_t v, std::string* out) {
  for (int i = 0; i < 8; ++i) out->push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
}

void AppendString(const std::string& s, std::string* out) {
  AppendU64(s.size(), out);
  out->append(s);
}

}  // namespace

std::string FingerprintRecords(const std::vector<ProductRecord>& records) {
  Sha256Stream digest;
  std::string bytes = "prodcat-records-v1";
  AppendU64(records.size(), &bytes);
  for (const ProductRecord& r : records) {
    for (Field f : kAllFields) {
      if (const std::string* s = r.StringField(f)) {
        AppendString(*s, &bytes);
      } else if (const std::optional<double>& v = *r.NumericField(f)) {
        bytes.push_back(1);
        double normalized = *v == 0 ? 0.0 : *v;  // -0 and 0 read back the same from text
        AppendU64(std::bit_cast<uint64_t>(normalized), &bytes);
      } else {
        bytes.push_back(0);
      }
    }
    AppendString(r.group, &bytes);
    if (bytes.size() >= (1 << 16)) {
      digest.Update(bytes);
      bytes.clear();
    }
  }
  digest.Update(bytes);
  return digest.FinishHex();
}

}  // namespace prodcat
