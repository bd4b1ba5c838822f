#include "prodcat/features/record_analysis.h"

#include "prodcat/features/text_normalizer.h"

namespace prodcat {
namespace {

// Normalizes `raw` into *padded as " tok1 tok2 " (just " " when there are no tokens).
size_t PaddedTokens(std::string_view raw, std::string* scratch, std::string* padded) {
  padded->assign(1, ' ');
  if (raw.empty()) return 0;
  NormalizeTextTo(raw, scratch);
  return AppendTokensPadded(*scratch, padded);
}

}  // namespace

void AnalyzeRecord(const ProductRecord& record, bool keep_description_tokens, AnalyzedRecord* a) {
  NormalizeTextTo(record.title, &a->scratch);
  a->title_chars = CountCodePoints(a->scratch);
  a->title_digits = 0;
  for (char c : a->scratch) a->title_digits += (c >= '0' && c <= '9');
  a->title.assign(1, ' ');
  a->title_tokens = AppendTokensPadded(a->scratch, &a->title);
  // Token code points = all code points of the padded string minus its separating spaces.
  a->title_token_chars = CountCodePoints(a->title) - (a->title_tokens + 1);

  NormalizeTextTo(record.brand, &a->brand_value);
  a->brand.assign(1, ' ');
  AppendTokensPadded(a->brand_value, &a->brand);
  NormalizeTextTo(record.seller_id, &a->seller_value);
  NormalizeTextTo(record.subcategory, &a->subcategory_value);

  if (keep_description_tokens) {
    a->description_tokens = PaddedTokens(record.description, &a->scratch, &a->description);
  } else {
    a->description.assign(1, ' ');
    a->description_tokens = 0;
    if (!record.description.empty()) {
      NormalizeTextTo(record.description, &a->scratch);
      ForEachToken(a->scratch, [&](std::string_view) { ++a->description_tokens; });
    }
  }
}

AnalyzedRecord& AnalyzeRecordCached(const ProductRecord& record, bool keep_description_tokens) {
  struct Cache {
    AnalyzedRecord analyzed;                                        // of the fields below
    std::string title, brand, seller_id, subcategory, description;  // the analyzed text
    bool valid = false;            // analyzed holds an analysis of the fields above
    bool has_description = false;  // analyzed.description holds the description's tokens
  };
  thread_local Cache cache;
  Cache& c = cache;
  if (c.valid && c.title == record.title && c.brand == record.brand &&
      c.seller_id == record.seller_id && c.subcategory == record.subcategory &&
      c.description == record.description) {
    if (keep_description_tokens && !c.has_description) {
      c.analyzed.description_tokens =
          PaddedTokens(record.description, &c.analyzed.scratch, &c.analyzed.description);
      c.has_description = true;
    }
    return c.analyzed;
  }
  AnalyzeRecord(record, keep_description_tokens, &c.analyzed);
  c.title = record.title;
  c.brand = record.brand;
  c.seller_id = record.seller_id;
  c.subcategory = record.subcategory;
  c.description = record.description;
  c.has_description = keep_description_tokens;
  c.valid = true;
  return c.analyzed;
}

}  // namespace prodcat
