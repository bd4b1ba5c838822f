#include "prodcat/tracking/search_filter.h"

#include <cctype>
#include <cstdlib>
#include <string>

namespace prodcat::tracking {
namespace {

enum class TokenType {
  kWord,          // bare identifier or keyword: metrics.f1, AND, LIKE, status
  kQuotedName,    // `backtick quoted`
  kString,        // 'single quoted'
  kDoubleQuoted,  // "double quoted": an identifier in key position, a string in value position
  kNumber,
  kOperator,  // = != <> > >= < <=
  kLParen,
  kRParen,
  kComma,
  kEnd,
};

struct Token {
  TokenType type = TokenType::kEnd;
  std::string text;  // unquoted contents for quoted tokens
  size_t position = 0;
};

std::string Upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

bool IsWordChar(char c) {
  unsigned char u = static_cast<unsigned char>(c);
  return std::isalnum(u) || c == '_' || c == '.' || c == '-' || c == '/' || c == ':' || u >= 0x80;
}

class Tokenizer {
 public:
  explicit Tokenizer(std::string_view text) : text_(text) {}

  Status Tokenize(std::vector<Token>* tokens) {
    while (true) {
      while (pos_ < text_.size() && std::isspace(static_cast<unsigned char>(text_[pos_]))) ++pos_;
      Token t;
      t.position = pos_;
      if (pos_ >= text_.size()) {
        t.type = TokenType::kEnd;
        tokens->push_back(t);
        return Status::Ok();
      }
      char c = text_[pos_];
      if (c == '\'' || c == '"' || c == '`') {
        PRODCAT_RETURN_IF_ERROR(Quoted(c, &t.text));
        t.type = c == '\'' ? TokenType::kString
                           : (c == '`' ? TokenType::kQuotedName : TokenType::kDoubleQuoted);
      } else if (c == '(') {
        t.type = TokenType::kLParen, t.text = "(", ++pos_;
      } else if (c == ')') {
        t.type = TokenType::kRParen, t.text = ")", ++pos_;
      } else if (c == ',') {
        t.type = TokenType::kComma, t.text = ",", ++pos_;
      } else if (c == '=' || c == '!' || c == '<' || c == '>') {
        t.type = TokenType::kOperator;
        t.text = std::string(1, c);
        ++pos_;
        if (pos_ < text_.size() && (text_[pos_] == '=' || (c == '<' && text_[pos_] == '>'))) {
          t.text += text_[pos_++];
        }
        if (t.text == "!" || t.text == "==") {
          return Error(t.position, "unknown operator '" + t.text + "'");
        }
      } else if (LooksLikeNumber()) {
        t.type = TokenType::kNumber;
        size_t start = pos_;
        if (text_[pos_] == '+' || text_[pos_] == '-') ++pos_;
        while (pos_ < text_.size() &&
               (std::isalnum(static_cast<unsigned char>(text_[pos_])) || text_[pos_] == '.' ||
                ((text_[pos_] == '+' || text_[pos_] == '-') &&
                 (text_[pos_ - 1] == 'e' || text_[pos_ - 1] == 'E')))) {
          ++pos_;
        }
        t.text = std::string(text_.substr(start, pos_ - start));
      } else if (IsWordChar(c)) {
        size_t start = pos_;
        while (pos_ < text_.size() && IsWordChar(text_[pos_])) ++pos_;
        t.type = TokenType::kWord;
        t.text = std::string(text_.substr(start, pos_ - start));
      } else {
        return Error(pos_, std::string("unexpected character '") + c + "'");
      }
      tokens->push_back(std::move(t));
    }
  }

 private:
  bool LooksLikeNumber() const {
    size_t i = pos_;
    if (text_[i] == '+' || text_[i] == '-') ++i;
    if (i < text_.size() && text_[i] == '.') ++i;
    return i < text_.size() && std::isdigit(static_cast<unsigned char>(text_[i]));
  }

  // Reads a quoted run; a doubled quote or a backslash-escaped quote stands for the quote.
  Status Quoted(char quote, std::string* out) {
    size_t start = pos_++;
    while (pos_ < text_.size()) {
      char c = text_[pos_];
      if (c == '\\' && pos_ + 1 < text_.size() && text_[pos_ + 1] == quote) {
        *out += quote;
        pos_ += 2;
      } else if (c == quote) {
        if (pos_ + 1 < text_.size() && text_[pos_ + 1] == quote) {
          *out += quote;
          pos_ += 2;
        } else {
          ++pos_;
          return Status::Ok();
        }
      } else {
        *out += c;
        ++pos_;
      }
    }
    return Error(start, std::string("unterminated quote ") + quote);
  }

  Status Error(size_t position, const std::string& what) const {
    return Status::InvalidArgument("Invalid filter '" + std::string(text_) + "': " + what +
                                   " at position " + std::to_string(position));
  }

  std::string_view text_;  // the whole filter, for messages
  size_t pos_ = 0;         // next unread character
};

bool EntityFromPrefix(std::string_view prefix, FilterEntity* entity) {
  std::string p = Upper(prefix);
  if (p == "METRIC" || p == "METRICS") {
    *entity = FilterEntity::kMetric;
  } else if (p == "PARAM" || p == "PARAMS" || p == "PARAMETER" || p == "PARAMETERS") {
    *entity = FilterEntity::kParam;
  } else if (p == "TAG" || p == "TAGS") {
    *entity = FilterEntity::kTag;
  } else if (p == "ATTRIBUTE" || p == "ATTRIBUTES" || p == "ATTR" || p == "RUN") {
    *entity = FilterEntity::kAttribute;
  } else if (p == "DATASET" || p == "DATASETS") {
    *entity = FilterEntity::kDataset;
  } else {
    return false;
  }
  return true;
}

class Parser {
 public:
  Parser(std::string_view text, std::vector<Token> tokens)
      : text_(text), tokens_(std::move(tokens)) {}

  Status ParseClauses(std::vector<FilterClause>* clauses) {
    if (Peek().type == TokenType::kEnd) return Status::Ok();
    while (true) {
      FilterClause clause;
      PRODCAT_RETURN_IF_ERROR(ParseClause(&clause));
      clauses->push_back(std::move(clause));
      const Token& next = Peek();
      if (next.type == TokenType::kEnd) return Status::Ok();
      if (next.type == TokenType::kWord && Upper(next.text) == "AND") {
        Next();
        continue;
      }
      if (next.type == TokenType::kWord && Upper(next.text) == "OR") {
        return Error(next, "OR is not supported; clauses can only be joined with AND");
      }
      return Error(next, "expected AND or the end of the filter, got '" + next.text + "'");
    }
  }

  Status ParseIdentifier(FilterEntity* entity, std::string* key) {
    const Token& t = Next();
    if (t.type == TokenType::kQuotedName || t.type == TokenType::kDoubleQuoted) {
      *entity = FilterEntity::kAttribute;  // a quoted name alone is an attribute
      *key = t.text;
      return CheckKey(t, *key);
    }
    if (t.type != TokenType::kWord) {
      return Error(t,
                   "expected an identifier such as metrics.f1 or params.model, got " + Describe(t));
    }
    std::string upper = Upper(t.text);
    if (upper == "AND" || upper == "OR" || upper == "NOT" || upper == "IN" || upper == "LIKE" ||
        upper == "ILIKE" || upper == "IS" || upper == "NULL") {
      return Error(t, "expected an identifier, got the keyword '" + t.text + "'");
    }
    size_t dot = t.text.find('.');
    if (dot == std::string::npos) {
      *entity = FilterEntity::kAttribute;
      *key = t.text;
      return Status::Ok();
    }
    std::string prefix = t.text.substr(0, dot);
    if (!EntityFromPrefix(prefix, entity)) {
      return Error(t, "invalid entity type '" + prefix + "' in '" + t.text +
                          "'; expected metrics, params, tags, attributes or datasets");
    }
    *key = t.text.substr(dot + 1);
    if (key->empty()) {
      // "tags.`my key`": the key is the quoted token that follows the dot.
      const Token& quoted = Peek();
      if (quoted.type != TokenType::kQuotedName && quoted.type != TokenType::kDoubleQuoted) {
        return Error(quoted, "expected a key after '" + t.text + "'");
      }
      *key = Next().text;
      return CheckKey(quoted, *key);
    }
    return Status::Ok();
  }

  const Token& Peek() const { return tokens_[index_]; }
  const Token& Next() {
    const Token& t = tokens_[index_];
    if (t.type != TokenType::kEnd) ++index_;
    return t;
  }

  Status Error(const Token& t, const std::string& what) const {
    return Status::InvalidArgument("Invalid filter '" + std::string(text_) + "': " + what +
                                   " at position " + std::to_string(t.position));
  }

 private:
  Status CheckKey(const Token& t, const std::string& key) const {
    if (key.empty()) return Error(t, "empty key");
    return Status::Ok();
  }

  static std::string Describe(const Token& t) {
    if (t.type == TokenType::kEnd) return "the end of the filter";
    return "'" + t.text + "'";
  }

  Status ParseClause(FilterClause* clause) {
    PRODCAT_RETURN_IF_ERROR(ParseIdentifier(&clause->entity, &clause->key));
    std::string name = std::string(FilterEntityName(clause->entity)) + "." + clause->key;
    const Token& op = Next();
    std::string word = op.type == TokenType::kWord ? Upper(op.text) : "";
    if (op.type == TokenType::kOperator) {
      if (op.text == "=") clause->op = Comparator::kEq;
      if (op.text == "!=" || op.text == "<>") clause->op = Comparator::kNe;
      if (op.text == ">") clause->op = Comparator::kGt;
      if (op.text == ">=") clause->op = Comparator::kGe;
      if (op.text == "<") clause->op = Comparator::kLt;
      if (op.text == "<=") clause->op = Comparator::kLe;
      PRODCAT_RETURN_IF_ERROR(ParseValue(op, &clause->values));
    } else if (word == "LIKE" || word == "ILIKE") {
      clause->op = word == "LIKE" ? Comparator::kLike : Comparator::kILike;
      PRODCAT_RETURN_IF_ERROR(ParseValue(op, &clause->values));
    } else if (word == "IN") {
      clause->op = Comparator::kIn;
      PRODCAT_RETURN_IF_ERROR(ParseList(&clause->values));
    } else if (word == "NOT") {
      const Token& in = Next();
      if (in.type != TokenType::kWord || Upper(in.text) != "IN") {
        return Error(in, "expected IN after NOT (NOT LIKE is not supported)");
      }
      clause->op = Comparator::kNotIn;
      PRODCAT_RETURN_IF_ERROR(ParseList(&clause->values));
    } else if (word == "IS") {
      const Token& t = Next();
      bool negated = t.type == TokenType::kWord && Upper(t.text) == "NOT";
      const Token& null = negated ? Next() : t;
      if (null.type != TokenType::kWord || Upper(null.text) != "NULL") {
        return Error(null, "expected NULL or NOT NULL after IS");
      }
      clause->op = negated ? Comparator::kIsNotNull : Comparator::kIsNull;
    } else {
      return Error(op,
                   "expected a comparison operator (=, !=, >, >=, <, <=, LIKE, ILIKE, IN, "
                   "IS) after '" +
                       name + "', got " + Describe(op));
    }
    return CheckTypes(op, name, *clause);
  }

  Status ParseValue(const Token& op, std::vector<FilterValue>* values) {
    const Token& t = Next();
    FilterValue v;
    if (t.type == TokenType::kNumber) {
      char* end = nullptr;
      v.number = std::strtod(t.text.c_str(), &end);
      if (!end || *end != '\0') return Error(t, "invalid number '" + t.text + "'");
      v.is_number = true;
      v.text = t.text;
    } else if (t.type == TokenType::kString || t.type == TokenType::kDoubleQuoted) {
      v.text = t.text;
    } else {
      return Error(t, "expected a value (a number or a quoted string) after '" + op.text +
                          "', got " + Describe(t));
    }
    values->push_back(std::move(v));
    return Status::Ok();
  }

  Status ParseList(std::vector<FilterValue>* values) {
    const Token& open = Next();
    if (open.type != TokenType::kLParen) {
      return Error(open, "expected '(' to start the IN list, got " + Describe(open));
    }
    while (true) {
      PRODCAT_RETURN_IF_ERROR(ParseValue(open, values));
      const Token& t = Next();
      if (t.type == TokenType::kRParen) return Status::Ok();
      if (t.type != TokenType::kComma) {
        return Error(t, "expected ',' or ')' in the IN list, got " + Describe(t));
      }
    }
  }

  Status CheckTypes(const Token& op, const std::string& name, const FilterClause& c) const {
    switch (c.entity) {
      case FilterEntity::kMetric:
        if (!IsNumericComparator(c.op)) {
          return Error(op, std::string("comparator '") + ComparatorText(c.op) +
                               "' is not valid for metric '" + name +
                               "'; expected one of =, !=, >, >=, <, <=");
        }
        if (!c.values[0].is_number) {
          return Error(op, "metric '" + name + "' must be compared with a number, got '" +
                               c.values[0].text + "'");
        }
        return Status::Ok();
      case FilterEntity::kParam:
      case FilterEntity::kTag:
      case FilterEntity::kDataset:
        if (c.op == Comparator::kGt || c.op == Comparator::kGe || c.op == Comparator::kLt ||
            c.op == Comparator::kLe) {
          return Error(op, std::string("comparator '") + ComparatorText(c.op) +
                               "' is not valid for '" + name +
                               "'; expected one of =, !=, LIKE, ILIKE, IN, NOT IN, IS NULL");
        }
        for (const FilterValue& v : c.values) {
          if (v.is_number) {
            return Error(op, "'" + name + "' holds strings; quote the value: '" + v.text + "'");
          }
        }
        return Status::Ok();
      case FilterEntity::kAttribute: return Status::Ok();  // checked per searched entity
    }
    return Status::Ok();
  }

  std::string_view text_;      // the whole filter, for messages
  std::vector<Token> tokens_;  // ends with kEnd
  size_t index_ = 0;           // next unread token
};

}  // namespace

const char* FilterEntityName(FilterEntity entity) {
  switch (entity) {
    case FilterEntity::kMetric: return "metrics";
    case FilterEntity::kParam: return "params";
    case FilterEntity::kTag: return "tags";
    case FilterEntity::kAttribute: return "attributes";
    case FilterEntity::kDataset: return "datasets";
  }
  return "attributes";
}

const char* ComparatorText(Comparator op) {
  switch (op) {
    case Comparator::kEq: return "=";
    case Comparator::kNe: return "!=";
    case Comparator::kGt: return ">";
    case Comparator::kGe: return ">=";
    case Comparator::kLt: return "<";
    case Comparator::kLe: return "<=";
    case Comparator::kLike: return "LIKE";
    case Comparator::kILike: return "ILIKE";
    case Comparator::kIn: return "IN";
    case Comparator::kNotIn: return "NOT IN";
    case Comparator::kIsNull: return "IS NULL";
    case Comparator::kIsNotNull: return "IS NOT NULL";
  }
  return "=";
}

bool IsNumericComparator(Comparator op) {
  return op == Comparator::kEq || op == Comparator::kNe || op == Comparator::kGt ||
         op == Comparator::kGe || op == Comparator::kLt || op == Comparator::kLe;
}

Status ParseFilter(std::string_view filter, std::vector<FilterClause>* clauses) {
  clauses->clear();
  std::vector<Token> tokens;
  PRODCAT_RETURN_IF_ERROR(Tokenizer(filter).Tokenize(&tokens));
  return Parser(filter, std::move(tokens)).ParseClauses(clauses);
}

Status ParseOrderBy(std::string_view text, OrderByClause* clause) {
  std::vector<Token> tokens;
  Status s = Tokenizer(text).Tokenize(&tokens);
  if (!s.ok())
    return Status::InvalidArgument("Invalid order_by clause '" + std::string(text) + "'");
  Parser parser(text, std::move(tokens));
  if (parser.Peek().type == TokenType::kEnd) {
    return Status::InvalidArgument("Invalid order_by clause '': expected an identifier");
  }
  s = parser.ParseIdentifier(&clause->entity, &clause->key);
  if (!s.ok()) {
    return Status::InvalidArgument("Invalid order_by clause '" + std::string(text) +
                                   "': expected an identifier such as metrics.f1 or start_time");
  }
  const Token& t = parser.Next();
  if (t.type == TokenType::kWord && (Upper(t.text) == "ASC" || Upper(t.text) == "DESC")) {
    clause->ascending = Upper(t.text) == "ASC";
    if (parser.Peek().type == TokenType::kEnd) return Status::Ok();
  } else if (t.type == TokenType::kEnd) {
    clause->ascending = true;
    return Status::Ok();
  }
  return Status::InvalidArgument("Invalid order_by clause '" + std::string(text) +
                                 "': expected the column followed by ASC or DESC");
}

}  // namespace prodcat::tracking
