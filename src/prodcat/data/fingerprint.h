// Data fingerprints: a SHA-256 that identifies a set of records by content, whatever file format
// they were read from, so runs can record exactly which data they saw.
#pragma once

#include <string>
#include <vector>

#include "prodcat/data/record.h"

namespace prodcat {

// Hex SHA-256 over every canonical field and the group of every record, in order. Each value is
// length-prefixed (numbers: presence byte + IEEE-754 bits), so distinct record lists never share
// a serialization. source_line is not included: the same rows in CSV and JSONL match.
std::string FingerprintRecords(const std::vector<ProductRecord>& records);

}  // namespace prodcat
