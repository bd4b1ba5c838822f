// A small XML well-formedness checker for the SVG tests: matched and properly nested tags, one
// root element, quoted attributes without duplicates, no raw '<' in attribute values, and only
// known or numeric entity references. It also collects element counts and decoded text so tests
// can look at what a viewer would show.
#pragma once

#include <cctype>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace prodcat::xml_test {

struct XmlSummary {
  std::string error;                          // empty when the document is well-formed
  std::string root;                           // name of the root element
  std::map<std::string, int> element_counts;  // element name -> occurrences
  std::vector<std::string> texts;             // decoded character data, one entry per text run
  std::vector<std::map<std::string, std::string>> root_attributes;  // [0] = root's attributes
};

inline bool IsNameStart(char c) {
  return std::isalpha(static_cast<unsigned char>(c)) || c == '_' || c == ':' ||
         (static_cast<unsigned char>(c) >= 0x80);
}
inline bool IsNameChar(char c) {
  return IsNameStart(c) || std::isdigit(static_cast<unsigned char>(c)) || c == '-' || c == '.';
}

// Decodes entity references in `raw`; returns false (and sets *error) on a bad one.
inline bool Decode(std::string_view raw, std::string* out, std::string* error) {
  for (size_t i = 0; i < raw.size(); ++i) {
    if (raw[i] != '&') {
      out->push_back(raw[i]);
      continue;
    }
    const size_t end = raw.find(';', i);
    if (end == std::string_view::npos) {
      *error = "unterminated entity reference at '" + std::string(raw.substr(i, 12)) + "'";
      return false;
    }
    const std::string_view name = raw.substr(i + 1, end - i - 1);
    if (name == "amp")
      out->push_back('&');
    else if (name == "lt")
      out->push_back('<');
    else if (name == "gt")
      out->push_back('>');
    else if (name == "quot")
      out->push_back('"');
    else if (name == "apos")
      out->push_back('\'');
    else if (name.size() > 1 && name[0] == '#') {
      const bool hex = name[1] == 'x';
      const std::string_view digits = name.substr(hex ? 2 : 1);
      if (digits.empty()) {
        *error = "empty character reference";
        return false;
      }
      for (char d : digits) {
        if (!(hex ? std::isxdigit(static_cast<unsigned char>(d))
                  : std::isdigit(static_cast<unsigned char>(d)))) {
          *error = "bad character reference &" + std::string(name) + ";";
          return false;
        }
      }
      out->push_back('?');  // the tests never inspect numeric references
    } else {
      *error = "unknown entity &" + std::string(name) + ";";
      return false;
    }
    i = end;
  }
  return true;
}

inline XmlSummary CheckXml(std::string_view doc) {
  XmlSummary summary;
  std::vector<std::string> open;
  bool root_closed = false;
  size_t i = 0;
  auto fail = [&](const std::string& what) {
    summary.error = what + " (at byte " + std::to_string(i) + ")";
    return summary;
  };
  auto skip_space = [&] {
    while (i < doc.size() && std::isspace(static_cast<unsigned char>(doc[i]))) ++i;
  };
  auto read_name = [&]() -> std::string {
    const size_t start = i;
    if (i < doc.size() && IsNameStart(doc[i])) {
      ++i;
      while (i < doc.size() && IsNameChar(doc[i])) ++i;
    }
    return std::string(doc.substr(start, i - start));
  };
  while (i < doc.size()) {
    if (doc[i] != '<') {
      const size_t end = std::min(doc.find('<', i), doc.size());
      const std::string_view raw = doc.substr(i, end - i);
      const bool blank = raw.find_first_not_of(" \t\r\n") == std::string_view::npos;
      if (open.empty() && !blank) return fail("text outside the root element");
      std::string decoded;
      if (!Decode(raw, &decoded, &summary.error)) return fail(summary.error);
      if (!blank) summary.texts.push_back(decoded);
      i = end;
      continue;
    }
    if (doc.compare(i, 4, "<!--") == 0) {
      const size_t end = doc.find("-->", i + 4);
      if (end == std::string_view::npos) return fail("unterminated comment");
      i = end + 3;
      continue;
    }
    if (doc.compare(i, 2, "<?") == 0) {
      if (!open.empty() || !summary.root.empty()) return fail("processing instruction after root");
      const size_t end = doc.find("?>", i + 2);
      if (end == std::string_view::npos) return fail("unterminated processing instruction");
      i = end + 2;
      continue;
    }
    if (doc.compare(i, 2, "<!") == 0) return fail("DOCTYPE/CDATA not expected in SVG output");
    if (doc.compare(i, 2, "</") == 0) {
      i += 2;
      const std::string name = read_name();
      skip_space();
      if (i >= doc.size() || doc[i] != '>') return fail("malformed end tag </" + name);
      ++i;
      if (open.empty() || open.back() != name) {
        return fail("end tag </" + name + "> does not match <" +
                    (open.empty() ? std::string("nothing") : open.back()) + ">");
      }
      open.pop_back();
      if (open.empty()) root_closed = true;
      continue;
    }
    ++i;  // '<'
    const std::string name = read_name();
    if (name.empty()) return fail("'<' not followed by an element name");
    if (open.empty()) {
      if (root_closed || !summary.root.empty()) return fail("second root element <" + name + ">");
      summary.root = name;
    }
    ++summary.element_counts[name];
    std::map<std::string, std::string> attributes;
    while (true) {
      const size_t before = i;
      skip_space();
      if (i >= doc.size()) return fail("unterminated start tag <" + name);
      if (doc[i] == '>') {
        ++i;
        open.push_back(name);
        break;
      }
      if (doc.compare(i, 2, "/>") == 0) {
        i += 2;
        if (open.empty()) root_closed = true;
        break;
      }
      if (i == before) return fail("attributes of <" + name + "> are not separated by space");
      const std::string attribute = read_name();
      if (attribute.empty()) return fail("bad attribute name in <" + name + ">");
      skip_space();
      if (i >= doc.size() || doc[i] != '=') return fail("attribute " + attribute + " has no '='");
      ++i;
      skip_space();
      if (i >= doc.size() || (doc[i] != '"' && doc[i] != '\'')) {
        return fail("attribute " + attribute + " value is not quoted");
      }
      const char quote = doc[i++];
      const size_t end = doc.find(quote, i);
      if (end == std::string_view::npos) return fail("unterminated attribute " + attribute);
      const std::string_view raw = doc.substr(i, end - i);
      if (raw.find('<') != std::string_view::npos) return fail("'<' in attribute " + attribute);
      std::string decoded;
      if (!Decode(raw, &decoded, &summary.error)) return fail(summary.error);
      if (!attributes.emplace(attribute, decoded).second) {
        return fail("duplicate attribute " + attribute + " in <" + name + ">");
      }
      i = end + 1;
    }
    if (summary.root_attributes.empty()) summary.root_attributes.push_back(attributes);
  }
  if (!open.empty()) return fail("unclosed element <" + open.back() + ">");
  if (summary.root.empty()) return fail("no root element");
  return summary;
}

}  // namespace prodcat::xml_test
