#include "prodcat/serving/admin_auth.h"

#include <cstdlib>

#include "prodcat/common/file_util.h"

namespace prodcat::serving {
namespace {

std::string_view Trim(std::string_view s) {
  const char* kSpace = " \t\r\n";
  size_t begin = s.find_first_not_of(kSpace);
  if (begin == std::string_view::npos) return {};
  size_t end = s.find_last_not_of(kSpace);
  return s.substr(begin, end - begin + 1);
}

// Compares without an early exit, so response time does not reveal a matching prefix.
bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  unsigned char diff = a.size() == b.size() ? 0 : 1;
  for (size_t i = 0; i < a.size(); ++i) {
    diff |= static_cast<unsigned char>(a[i] ^ (i < b.size() ? b[i] : 0));
  }
  return diff == 0;
}

}  // namespace

Status LoadAdminToken(const std::string& token_file, const char* env_name, std::string* token) {
  token->clear();
  if (!token_file.empty()) {
    std::string contents;
    PRODCAT_RETURN_IF_ERROR(ReadFile(token_file, &contents).WithContext("--admin-token-file"));
    *token = std::string(Trim(contents));
    if (token->empty()) {
      return Status::InvalidArgument("--admin-token-file " + token_file + " is empty");
    }
    return Status::Ok();
  }
  if (const char* env = std::getenv(env_name); env != nullptr) *token = std::string(Trim(env));
  return Status::Ok();
}

bool IsAuthorizedBearer(const std::string* authorization, std::string_view token) {
  if (authorization == nullptr || token.empty()) return false;
  std::string_view value = Trim(*authorization);
  constexpr std::string_view kScheme = "bearer ";
  if (value.size() <= kScheme.size()) return false;
  for (size_t i = 0; i < kScheme.size(); ++i) {
    char c = value[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != kScheme[i]) return false;
  }
  return ConstantTimeEquals(Trim(value.substr(kScheme.size())), token);
}

}  // namespace prodcat::serving
