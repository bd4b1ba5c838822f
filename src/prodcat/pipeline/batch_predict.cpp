#include "prodcat/pipeline/batch_predict.h"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <fstream>
#include <nlohmann/json.hpp>
#include <numeric>

#include "prodcat/common/file_util.h"
#include "prodcat/pipeline/train.h"

namespace prodcat {
namespace fs = std::filesystem;

namespace {

std::string CsvQuote(const std::string& s) {
  if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string FormatProb(float p) {
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), p, std::chars_format::fixed, 6);
  return std::string(buf, end);
}

}  // namespace

Status PredictFile(const ModelBundle& bundle, const fs::path& input, const fs::path& output,
                   const BatchPredictOptions& options, BatchPredictStats* stats) {
  auto start = std::chrono::steady_clock::now();
  std::unique_ptr<RecordReader> reader;
  PRODCAT_RETURN_IF_ERROR(OpenRecordReader(input, options.read, &reader));
  std::string ext = output.extension().string();
  bool jsonl = ext == ".jsonl" || ext == ".ndjson" || ext == ".json";
  if (!jsonl && ext != ".csv") {
    return Status::InvalidArgument("predict: output '" + output.string() +
                                   "' must end in .csv or .jsonl");
  }
  if (!output.parent_path().empty()) PRODCAT_RETURN_IF_ERROR(EnsureDirectory(output.parent_path()));
  fs::path tmp = StagingPath(output);
  std::ofstream out(tmp, std::ios::binary);
  if (!out) return Status::IoError("cannot create '" + tmp.string() + "'");
  const size_t k = bundle.class_names().size();
  const size_t top = std::min(options.top_k, k);
  if (!jsonl) out << "product_id,predicted_category,confidence,top_labels,top_probabilities\n";

  std::vector<ProductRecord> chunk;
  std::vector<float> probs;
  std::vector<int> order(k);
  bool more = true;
  size_t rows = 0;
  while (more) {
    chunk.clear();
    while (chunk.size() < options.chunk_rows) {
      ProductRecord r;
      bool has = false;
      Status s = reader->Next(&r, &has);
      if (!s.ok()) {
        out.close();
        fs::remove(tmp);
        return s;
      }
      if (!has) {
        more = false;
        break;
      }
      chunk.push_back(std::move(r));
    }
    PredictRecords(bundle, chunk, options.threads, &probs);
    for (size_t i = 0; i < chunk.size(); ++i) {
      const float* p = probs.data() + i * k;
      std::iota(order.begin(), order.end(), 0);
      std::partial_sort(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(top),
                        order.end(),
                        [p](int a, int b) { return p[a] > p[b] || (p[a] == p[b] && a < b); });
      if (jsonl) {
        nlohmann::json j;
        j["product_id"] = chunk[i].product_id;
        j["category"] = bundle.class_names()[static_cast<size_t>(order[0])];
        j["confidence"] = p[order[0]];
        nlohmann::json top_list = nlohmann::json::array();
        for (size_t t = 0; t < top; ++t) {
          top_list.push_back({{"label", bundle.class_names()[static_cast<size_t>(order[t])]},
                              {"probability", p[order[t]]}});
        }
        j["probabilities"] = top_list;
        out << j.dump() << '\n';
      } else {
        std::string labels, values;
        for (size_t t = 0; t < top; ++t) {
          if (t) {
            labels += '|';
            values += '|';
          }
          labels += bundle.class_names()[static_cast<size_t>(order[t])];
          values += FormatProb(p[order[t]]);
        }
        out << CsvQuote(chunk[i].product_id) << ','
            << CsvQuote(bundle.class_names()[static_cast<size_t>(order[0])]) << ','
            << FormatProb(p[order[0]]) << ',' << CsvQuote(labels) << ',' << values << '\n';
      }
    }
    rows += chunk.size();
  }
  out.flush();
  if (!out) {
    fs::remove(tmp);
    return Status::IoError("write failed for '" + output.string() + "'");
  }
  out.close();
  std::error_code ec;
  fs::rename(tmp, output, ec);
  if (ec) return Status::IoError("cannot rename to '" + output.string() + "': " + ec.message());
  stats->rows = rows;
  stats->skipped = reader->stats().rows_skipped;
  stats->seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return Status::Ok();
}

}  // namespace prodcat
