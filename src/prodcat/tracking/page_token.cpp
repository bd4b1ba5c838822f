#include "prodcat/tracking/page_token.h"

#include <openssl/evp.h>

#include <nlohmann/json.hpp>

namespace prodcat::tracking {

std::string Base64Encode(const std::string& bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3), '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(bytes.data()),
                          static_cast<int>(bytes.size()));
  out.resize(static_cast<size_t>(n));
  return out;
}

Status Base64Decode(const std::string& text, std::string* bytes) {
  if (text.size() % 4 != 0)
    return Status::InvalidArgument("not base64: length is not a multiple of 4");
  std::string out(3 * text.size() / 4, '\0');
  int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(text.data()),
                          static_cast<int>(text.size()));
  if (n < 0) return Status::InvalidArgument("not base64");
  // EVP_DecodeBlock counts padding as zero bytes; drop them.
  size_t size = static_cast<size_t>(n);
  for (size_t i = text.size(); i > 0 && text[i - 1] == '=' && size > 0; --i) --size;
  out.resize(size);
  *bytes = std::move(out);
  return Status::Ok();
}

std::string EncodePageToken(int64_t offset) {
  return Base64Encode(nlohmann::json{{"offset", offset}}.dump());
}

Status DecodePageToken(const std::string& token, int64_t* offset) {
  *offset = 0;
  if (token.empty()) return Status::Ok();
  std::string json_text;
  Status s = Base64Decode(token, &json_text);
  nlohmann::json j = nlohmann::json::parse(json_text, nullptr, /*allow_exceptions=*/false);
  if (!s.ok() || !j.is_object() || !j.contains("offset") || !j["offset"].is_number_integer() ||
      j["offset"].get<int64_t>() < 0) {
    return Status::InvalidArgument("Invalid page token '" + token +
                                   "': pass back the next_page_token of the previous page");
  }
  *offset = j["offset"].get<int64_t>();
  return Status::Ok();
}

}  // namespace prodcat::tracking
