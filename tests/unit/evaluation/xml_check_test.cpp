// The SVG tests rely on CheckXml rejecting malformed documents, so it is tested here first.
#include "xml_check.h"

#include <gtest/gtest.h>

namespace prodcat::xml_test {
namespace {

TEST(XmlCheckTest, AcceptsWellFormedDocument) {
  const XmlSummary summary = CheckXml(
      "<svg xmlns=\"http://www.w3.org/2000/svg\"><g a='1'><text>A&amp;B &lt;x&gt;</text>"
      "<rect/></g><!-- note --></svg>\n");
  EXPECT_EQ(summary.error, "");
  EXPECT_EQ(summary.root, "svg");
  EXPECT_EQ(summary.element_counts.at("rect"), 1);
  ASSERT_EQ(summary.texts.size(), 1u);
  EXPECT_EQ(summary.texts[0], "A&B <x>");
  EXPECT_EQ(summary.root_attributes.at(0).at("xmlns"), "http://www.w3.org/2000/svg");
}

TEST(XmlCheckTest, RejectsMalformedDocuments) {
  EXPECT_NE(CheckXml("<svg><g></svg>").error, "");                   // unclosed <g>
  EXPECT_NE(CheckXml("<svg><g></text></g></svg>").error, "");        // mismatched end tag
  EXPECT_NE(CheckXml("<svg><text>A&B</text></svg>").error, "");      // raw ampersand
  EXPECT_NE(CheckXml("<svg><text>a<b</text></svg>").error, "");      // raw '<'
  EXPECT_NE(CheckXml("<svg a=1></svg>").error, "");                  // unquoted attribute
  EXPECT_NE(CheckXml("<svg a=\"1\" a=\"2\"></svg>").error, "");      // duplicate attribute
  EXPECT_NE(CheckXml("<svg a=\"<\"></svg>").error, "");              // '<' in attribute
  EXPECT_NE(CheckXml("<svg></svg><svg></svg>").error, "");           // two roots
  EXPECT_NE(CheckXml("<svg></svg>trailing").error, "");              // text after root
  EXPECT_NE(CheckXml("<svg><text>&bogus;</text></svg>").error, "");  // unknown entity
  EXPECT_NE(CheckXml("").error, "");                                 // no root
}

}  // namespace
}  // namespace prodcat::xml_test
