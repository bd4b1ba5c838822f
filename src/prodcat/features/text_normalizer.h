// Text normalization shared by every feature view, by data preparation and by serving, so the
// same product title always yields the same characters.
//
//   NormalizeText: Unicode NFKC + case folding (utf8proc), control characters removed, line
//                  breaks/tabs/Unicode spaces turned into spaces, runs of whitespace collapsed to
//                  one space, trimmed. Typographic variants are lumped (en dash -> '-', curly
//                  quotes -> '\'') and default-ignorable characters (soft hyphen, zero-width
//                  joiners) dropped. "Ｓｔｒａßｅ\t ﬁle" -> "strasse file".
//   CleanText:     the same without case folding and lumping, for writing clean data files that
//                  keep the original case (the upper-case ratio feature is computed from it).
//
// Invalid UTF-8 never fails: each malformed byte becomes U+FFFD and normalization goes on.
// Pure-ASCII input (most product titles) skips utf8proc entirely; the result is identical.
#pragma once

#include <string>
#include <string_view>

namespace prodcat {

std::string NormalizeText(std::string_view utf8);
std::string CleanText(std::string_view utf8);

// Allocation-free variants for hot loops: replace *out's contents (its capacity is reused).
// `out` must not alias `utf8`.
void NormalizeTextTo(std::string_view utf8, std::string* out);
void CleanTextTo(std::string_view utf8, std::string* out);

namespace internal {
// Runs the utf8proc path even for ASCII input; tests use it to prove the fast path equivalent.
void NormalizeWithUtf8proc(std::string_view utf8, bool casefold, std::string* out);
}  // namespace internal

}  // namespace prodcat
