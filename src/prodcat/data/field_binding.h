// FieldBinding: which source column feeds which part of a ProductRecord, and the conversion of
// one source value into that part (string copy with UTF-8 check, or number parse). Shared by the
// CSV and JSON Lines readers so both accept and reject exactly the same values.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "prodcat/common/status.h"
#include "prodcat/data/record.h"
#include "prodcat/data/record_reader.h"

namespace prodcat {

// A destination inside a ProductRecord: a canonical field, or the group column.
struct RecordTarget {
  bool is_group = false;        // true: ProductRecord::group; false: `field`
  Field field = Field::kTitle;  // meaningful only when !is_group
};

// One source column and everything it feeds (a column may feed several targets, e.g. a group
// column that is also the seller_id column).
struct FieldBinding {
  std::string source_name;            // column name in the file
  std::vector<RecordTarget> targets;  // non-empty
};

// Bindings for every canonical field and the optional group column, merged by source name.
std::vector<FieldBinding> BuildBindings(const ReadOptions& options);

// "field 'price'", "field 'price' (column 'cost')" or "group column 'shop'".
std::string DescribeTarget(const RecordTarget& target, const std::string& source_name);

// Clears every field of *record (keeping string capacity) before a row is stored into it.
void ResetRecord(ProductRecord* record);

// Stores `value` into `target` of *record. Errors are row-level InvalidArgument messages
// "FILE:LINE: field 'price': expected a number, got 'abc'". `check_utf8` is false when the
// caller's parser already validated the text.
Status StoreValue(const RecordTarget& target, const std::string& source_name,
                  std::string_view value, bool check_utf8, const std::string& file, size_t line,
                  ProductRecord* record);

// "FILE:LINE: " prefix of row-level messages.
std::string Where(const std::string& file, size_t line);

}  // namespace prodcat
