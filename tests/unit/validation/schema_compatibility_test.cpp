#include "prodcat/validation/schema_compatibility.h"

#include <gtest/gtest.h>

#include <optional>

namespace prodcat {
namespace {

// A record schema named `name` with the given JSON field list.
std::string Record(const std::string& fields, const std::string& name = "Product",
                   const std::string& extra = "") {
  return R"({"type": "record", "name": ")" + name + R"(", "namespace": "prodcat")" + extra +
         R"(, "fields": [)" + fields + "]}";
}

const std::string kTitle = R"({"name": "title", "type": "string"})";

struct Case {
  const char* name;
  std::string old_schema;
  std::string new_schema;
  bool backward;                                           // new reads old
  bool forward;                                            // old reads new
  std::optional<IncompatibilityKind> kind = std::nullopt;  // of the first issue, if any
  std::string path = "";                                   // of the first issue, if any
};

std::vector<Case> Cases() {
  using K = IncompatibilityKind;
  const std::string price_opt = R"({"name": "price", "type": ["null", "double"], "default": null})";
  const std::string base = Record(kTitle + "," + price_opt);
  auto with_type = [](const std::string& type) {
    return Record(kTitle + R"(, {"name": "v", "type": )" + type + "}");
  };
  auto with_enum = [](const std::string& symbols, const std::string& extra = "") {
    return Record(kTitle +
                  R"(, {"name": "kind", "type": {"type": "enum", "name": "Kind", )"
                  R"("symbols": [)" +
                  symbols + "]" + extra + "}}");
  };
  return {
      {"identical", base, base, true, true},
      {"add field with default", base,
       Record(kTitle + "," + price_opt + R"(, {"name": "brand", "type": "string", "default": ""})"),
       true, true},
      {"add field without default", base,
       Record(kTitle + "," + price_opt + R"(, {"name": "brand", "type": "string"})"), false, true,
       K::kReaderFieldMissingDefault, "Product.brand"},
      {"remove field that had a default", base, Record(kTitle), true, true},
      {"remove field without default", base, Record(price_opt), true, false,
       K::kReaderFieldMissingDefault, "Product.title"},
      {"int to long", with_type("\"int\""), with_type("\"long\""), true, false, K::kTypeMismatch,
       "Product.v"},
      {"long to int", with_type("\"long\""), with_type("\"int\""), false, true, K::kTypeMismatch,
       "Product.v"},
      {"float to double", with_type("\"float\""), with_type("\"double\""), true, false},
      {"int to double", with_type("\"int\""), with_type("\"double\""), true, false},
      {"string to bytes", with_type("\"string\""), with_type("\"bytes\""), true, true},
      {"string to int", with_type("\"string\""), with_type("\"int\""), false, false,
       K::kTypeMismatch, "Product.v"},
      {"union widened", with_type(R"(["null", "string"])"),
       with_type(R"(["null", "string", "long"])"), true, false, K::kMissingUnionBranch,
       "Product.v"},
      {"type made nullable", with_type("\"string\""), with_type(R"(["null", "string"])"), true,
       false, K::kMissingUnionBranch, "Product.v"},
      {"union branch promoted", with_type(R"(["null", "int"])"), with_type(R"(["null", "double"])"),
       true, false},
      {"enum symbol added", with_enum(R"("A", "B")"), with_enum(R"("A", "B", "C")"), true, false,
       K::kMissingEnumSymbols, "Product.kind"},
      {"enum symbol added, old enum has a default", with_enum(R"("A", "B")", R"(, "default": "A")"),
       with_enum(R"("A", "B", "C")"), true, true},
      {"enum symbol removed", with_enum(R"("A", "B")"), with_enum(R"("A")"), false, true,
       K::kMissingEnumSymbols, "Product.kind"},
      {"fixed size changed", with_type(R"({"type": "fixed", "name": "Id", "size": 16})"),
       with_type(R"({"type": "fixed", "name": "Id", "size": 32})"), false, false,
       K::kFixedSizeMismatch, "Product.v"},
      {"fixed renamed", with_type(R"({"type": "fixed", "name": "Id", "size": 16})"),
       with_type(R"({"type": "fixed", "name": "Key", "size": 16})"), false, false, K::kNameMismatch,
       "Product.v"},
      // The root path is the reader's name, so it differs per direction: not checked here.
      {"record renamed without alias", base, Record(kTitle + "," + price_opt, "Item"), false, false,
       K::kNameMismatch},
      {"record renamed with alias", base,
       Record(kTitle + "," + price_opt, "Item", R"(, "aliases": ["prodcat.Product"])"), true, false,
       K::kNameMismatch, "Product"},
      {"namespace changed (unqualified names match)", base,
       R"({"type": "record", "name": "Product", "namespace": "shop", "fields": [)" + kTitle + "," +
           price_opt + "]}",
       true, true},
      {"field renamed with alias", Record(kTitle + R"(, {"name": "price", "type": "double"})"),
       Record(kTitle + R"(, {"name": "cost", "type": "double", "aliases": ["price"]})"), true,
       false, K::kReaderFieldMissingDefault, "Product.price"},
      {"array items promoted", with_type(R"({"type": "array", "items": "int"})"),
       with_type(R"({"type": "array", "items": "long"})"), true, false, K::kTypeMismatch,
       "Product.v[]"},
      {"map values changed", with_type(R"({"type": "map", "values": "string"})"),
       with_type(R"({"type": "map", "values": "int"})"), false, false, K::kTypeMismatch,
       "Product.v{}"},
      {"array became map", with_type(R"({"type": "array", "items": "int"})"),
       with_type(R"({"type": "map", "values": "int"})"), false, false, K::kTypeMismatch,
       "Product.v"},
      {"nested record field added without default",
       with_type(
           R"({"type": "record", "name": "Seller", "fields": [{"name": "id", "type": "string"}]})"),
       with_type(
           R"({"type": "record", "name": "Seller", "fields": [{"name": "id", "type": "string"}, {"name": "score", "type": "float"}]})"),
       false, true, K::kReaderFieldMissingDefault, "Product.v.score"},
      {"recursive list unchanged",
       Record(R"({"name": "next", "type": ["null", "Product"], "default": null})"),
       Record(R"({"name": "next", "type": ["null", "Product"], "default": null})"), true, true},
      {"recursive list gains a required field",
       Record(R"({"name": "next", "type": ["null", "Product"], "default": null})"),
       Record(R"({"name": "next", "type": ["null", "Product"], "default": null}, )" + kTitle),
       false, true, K::kReaderFieldMissingDefault, "Product.title"},
  };
}

TEST(SchemaCompatibility, TableOfSchemaPairsPerMode) {
  for (const Case& c : Cases()) {
    SCOPED_TRACE(c.name);
    for (CompatibilityMode mode : {CompatibilityMode::kBackward, CompatibilityMode::kForward,
                                   CompatibilityMode::kFull, CompatibilityMode::kNone}) {
      StatusOr<CompatibilityResult> result = CheckCompatibility(c.old_schema, c.new_schema, mode);
      ASSERT_TRUE(result.ok()) << result.status().ToString();
      bool expected = mode == CompatibilityMode::kBackward  ? c.backward
                      : mode == CompatibilityMode::kForward ? c.forward
                      : mode == CompatibilityMode::kFull    ? c.backward && c.forward
                                                            : true;
      EXPECT_EQ(result->compatible, expected) << CompatibilityModeName(mode) << "\n"
                                              << result->Summary();
      EXPECT_EQ(result->compatible, result->incompatibilities.empty());
      if (!result->compatible && c.kind) {
        EXPECT_EQ(result->incompatibilities[0].kind, *c.kind)
            << CompatibilityModeName(mode) << ": " << result->Summary();
        if (!c.path.empty()) {
          EXPECT_EQ(result->incompatibilities[0].path, c.path) << result->Summary();
        }
      }
    }
  }
}

TEST(SchemaCompatibility, MessagesExplainTheChangeInOldNewTerms) {
  std::string old_schema = Record(kTitle);
  std::string added = Record(kTitle + R"(, {"name": "brand", "type": "string"})");
  auto backward = CheckCompatibility(old_schema, added, CompatibilityMode::kBackward);
  ASSERT_TRUE(backward.ok());
  ASSERT_EQ(backward->incompatibilities.size(), 1u);
  EXPECT_EQ(backward->incompatibilities[0].path, "Product.brand");
  EXPECT_EQ(backward->incompatibilities[0].message,
            "field 'brand' added without a default: new readers cannot read old data");
  EXPECT_TRUE(backward->incompatibilities[0].new_reads_old);

  auto forward = CheckCompatibility(added, old_schema, CompatibilityMode::kForward);
  ASSERT_TRUE(forward.ok());
  ASSERT_EQ(forward->incompatibilities.size(), 1u);
  EXPECT_EQ(forward->incompatibilities[0].message,
            "field 'brand' removed while the old schema has no default for it: old readers "
            "cannot read new data");
  EXPECT_FALSE(forward->incompatibilities[0].new_reads_old);

  auto types =
      CheckCompatibility(Record(R"({"name": "title", "type": "long"})"),
                         Record(R"({"name": "title", "type": "int"})"), CompatibilityMode::kFull);
  ASSERT_TRUE(types.ok());
  ASSERT_EQ(types->incompatibilities.size(), 1u) << "long -> int only breaks BACKWARD";
  EXPECT_EQ(types->incompatibilities[0].message,
            "type changed from long to int: new readers cannot read old data");
  EXPECT_NE(types->Summary().find("Product.title: type changed"), std::string::npos);
}

TEST(SchemaCompatibility, TransitiveModesCheckEveryOlderSchema) {
  // v3 made brand required: fine against v2 (which has brand), not against v1.
  std::vector<std::string> history = {
      Record(kTitle),
      Record(kTitle + R"(, {"name": "brand", "type": "string", "default": "none"})")};
  std::string v3 = Record(kTitle + R"(, {"name": "brand", "type": "string"})");
  auto latest = CheckCompatibility(history, v3, CompatibilityMode::kBackward);
  ASSERT_TRUE(latest.ok());
  EXPECT_TRUE(latest->compatible);
  auto all = CheckCompatibility(history, v3, CompatibilityMode::kBackwardTransitive);
  ASSERT_TRUE(all.ok());
  ASSERT_FALSE(all->compatible);
  EXPECT_EQ(all->incompatibilities[0].older_index, 0u);
  auto full = CheckCompatibility(history, v3, CompatibilityMode::kFullTransitive);
  ASSERT_TRUE(full.ok());
  EXPECT_FALSE(full->compatible);

  // FORWARD: v1 requires price; v2 gives it a default; v3 drops it.
  std::vector<std::string> priced = {
      Record(kTitle + R"(, {"name": "price", "type": "double"})"),
      Record(kTitle + R"(, {"name": "price", "type": "double", "default": 0})")};
  auto forward = CheckCompatibility(priced, Record(kTitle), CompatibilityMode::kForward);
  ASSERT_TRUE(forward.ok());
  EXPECT_TRUE(forward->compatible);
  auto forward_all =
      CheckCompatibility(priced, Record(kTitle), CompatibilityMode::kForwardTransitive);
  ASSERT_TRUE(forward_all.ok());
  EXPECT_FALSE(forward_all->compatible);
  EXPECT_EQ(forward_all->incompatibilities[0].path, "Product.price");
}

TEST(SchemaCompatibility, ModesParseAndBadSchemasAreErrors) {
  CompatibilityMode mode;
  ASSERT_TRUE(ParseCompatibilityMode("full-transitive", &mode));
  EXPECT_EQ(mode, CompatibilityMode::kFullTransitive);
  ASSERT_TRUE(ParseCompatibilityMode("BACKWARD", &mode));
  EXPECT_EQ(mode, CompatibilityMode::kBackward);
  EXPECT_FALSE(ParseCompatibilityMode("sideways", &mode));

  auto bad_new = CheckCompatibility(Record(kTitle), "{not json", CompatibilityMode::kBackward);
  EXPECT_EQ(bad_new.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(bad_new.status().message().find("new schema"), std::string::npos);
  auto bad_old = CheckCompatibility(Record(R"({"name": "x", "type": "strin"})"), Record(kTitle),
                                    CompatibilityMode::kBackward);
  EXPECT_EQ(bad_old.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(bad_old.status().message().find("old schema 1 of 1"), std::string::npos)
      << bad_old.status().message();
}

}  // namespace
}  // namespace prodcat
