// Little-endian encoding of integers and floats for the FeatureSpec binary file. Explicit shifts
// make the format independent of the host's byte order; the reader never reads past its end.
#pragma once

#include <bit>
#include <cstdint>
#include <string>
#include <string_view>

namespace prodcat {

class ByteWriter {
 public:
  void PutU32(uint32_t v) {
    for (int i = 0; i < 4; ++i) bytes_.push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
  }
  void PutU64(uint64_t v) {
    for (int i = 0; i < 8; ++i) bytes_.push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
  }
  void PutF32(float v) { PutU32(std::bit_cast<uint32_t>(v)); }
  void PutBytes(std::string_view b) { bytes_.append(b); }
  const std::string& bytes() const { return bytes_; }

 private:
  std::string bytes_;  // everything written so far
};

class ByteReader {
 public:
  explicit ByteReader(std::string_view data) : data_(data) {}
  // Each Read returns false (and consumes nothing) when too few bytes remain.
  bool ReadU32(uint32_t* v) {
    if (remaining() < 4) return false;
    uint32_t r = 0;
    for (int i = 0; i < 4; ++i)
      r |= uint32_t{static_cast<unsigned char>(data_[pos_ + i])} << (8 * i);
    pos_ += 4;
    *v = r;
    return true;
  }
  bool ReadU64(uint64_t* v) {
    if (remaining() < 8) return false;
    uint64_t r = 0;
    for (int i = 0; i < 8; ++i)
      r |= uint64_t{static_cast<unsigned char>(data_[pos_ + i])} << (8 * i);
    pos_ += 8;
    *v = r;
    return true;
  }
  bool ReadF32(float* v) {
    uint32_t bits;
    if (!ReadU32(&bits)) return false;
    *v = std::bit_cast<float>(bits);
    return true;
  }
  bool ReadBytes(size_t n, std::string_view* out) {
    if (remaining() < n) return false;
    *out = data_.substr(pos_, n);
    pos_ += n;
    return true;
  }
  size_t remaining() const { return data_.size() - pos_; }
  size_t position() const { return pos_; }

 private:
  std::string_view data_;  // the whole input; not owned
  size_t pos_ = 0;         // bytes consumed, <= data_.size()
};

}  // namespace prodcat
