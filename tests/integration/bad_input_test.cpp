// Bad input through the real binary: a clear message naming file, line and field, a non-zero
// exit, never a crash; --on-error skip counts instead.
#include <gtest/gtest.h>

#include <fstream>

#include "process.h"

namespace prodcat::testing {
namespace {

const std::string kBin = PRODCAT_BINARY;

void Write(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

const char* kHeader = "product_id,title,brand,price,category\n";

struct Case {
  const char* name;
  std::string body;
  std::vector<std::string> expected;  // substrings of stderr
};

TEST(BadInputTest, PrepareNamesFileLineFieldAndExpectation) {
  std::vector<Case> cases = {
      {"ragged",
       std::string(kHeader) + "1,usb cable,Anker,9.99,Electronics\n2,shirt,Acme\n",
       {"ragged.csv", ":3", "expected 5 fields"}},
      {"price",
       std::string(kHeader) + "1,usb cable,Anker,9.99,Electronics\n2,shirt,Acme,cheap,Clothing\n",
       {"price.csv", ":3", "price", "cheap"}},
      {"utf8",
       std::string(kHeader) + "1,caf\xc3\x28 mug,Acme,3,Home\n",
       {"utf8.csv", ":2", "UTF-8"}},
      {"empty", "", {"empty.csv", "empty"}},
      {"nolabel", "product_id,title,price\n1,usb cable,3\n", {"nolabel.csv", "category"}},
      {"quote",
       std::string(kHeader) + "1,\"unterminated,Anker,1,Electronics\n",
       {"quote.csv", "quote"}},
  };
  for (const auto& c : cases) {
    TempDir dir;
    std::string file = dir / (std::string(c.name) + ".csv");
    Write(file, c.body);
    auto r = RunProcess({kBin, "prepare", "--input", file, "--out", dir / "out"});
    EXPECT_NE(r.exit_code, 0) << c.name;
    EXPECT_NE(r.exit_code, -1) << c.name << ": crashed or hung";
    for (const auto& e : c.expected) {
      EXPECT_NE(r.err.find(e), std::string::npos)
          << c.name << ": missing '" << e << "' in: " << r.err;
    }
  }
}

TEST(BadInputTest, SkipModeCountsBadRows) {
  TempDir dir;
  std::string body = kHeader;
  for (int i = 0; i < 60; ++i) {
    body +=
        std::to_string(i) + ",item " + std::to_string(i) + ",B,1.5," + (i % 2 ? "A" : "B") + "\n";
  }
  body += "x,broken row,B,notanumber,A\n";
  body += "y,too,few\n";
  std::string file = dir / "mixed.csv";
  Write(file, body);
  auto strict = RunProcess({kBin, "prepare", "--input", file, "--out", dir / "o1"});
  EXPECT_NE(strict.exit_code, 0);
  auto lenient =
      RunProcess({kBin, "prepare", "--input", file, "--out", dir / "o2", "--on-error", "skip"});
  ASSERT_EQ(lenient.exit_code, 0) << lenient.err;
  std::string report = Slurp(dir / "o2/quality_report.json");
  EXPECT_NE(report.find("\"rows_skipped_unparseable\": 2"), std::string::npos) << report;
}

TEST(BadInputTest, ColumnMappingAndUnknownOptions) {
  TempDir dir;
  std::string file = dir / "mapped.csv";
  std::string body = "sku,product_name,label,extra\n";
  for (int i = 0; i < 40; ++i) {
    body += std::to_string(i) + ",thing " + std::to_string(i % 5) + "," + (i % 2 ? "A" : "B") +
            ",zzz\n";
  }
  Write(file, body);
  auto ok = RunProcess({kBin, "prepare", "--input", file, "--out", dir / "o", "--columns",
                        "product_id=sku,title=product_name,category=label"});
  EXPECT_EQ(ok.exit_code, 0) << ok.err;
  auto bad =
      RunProcess({kBin, "prepare", "--input", file, "--out", dir / "o2", "--columns", "titel=x"});
  EXPECT_NE(bad.exit_code, 0);
  EXPECT_NE(bad.err.find("titel"), std::string::npos) << bad.err;
  auto missing = RunProcess({kBin, "prepare", "--input", dir / "nope.csv", "--out", dir / "o3"});
  EXPECT_NE(missing.exit_code, 0);
  EXPECT_NE(missing.err.find("nope.csv"), std::string::npos) << missing.err;
  auto typo =
      RunProcess({kBin, "prepare", "--input", file, "--out", dir / "o4", "--set", "prepare.sed=3"});
  EXPECT_NE(typo.exit_code, 0);
  EXPECT_NE(typo.err.find("prepare.sed"), std::string::npos) << typo.err;
}

TEST(BadInputTest, JsonLinesErrorsNameTheLine) {
  TempDir dir;
  std::string file = dir / "rows.jsonl";
  Write(file,
        "{\"title\": \"usb cable\", \"category\": \"A\"}\n{\"title\": \"x\", \"price\": \"abc\", "
        "\"category\": \"B\"}\n");
  auto r = RunProcess({kBin, "prepare", "--input", file, "--out", dir / "o"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("rows.jsonl:2"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("price"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace prodcat::testing
