#include "reports/escape.h"

#include <gtest/gtest.h>

namespace reports {
namespace {

TEST(SanitizeUtf8, KeepsValidTextAndReplacesTheRest) {
  EXPECT_EQ(sanitize_utf8("plain \u00e9 \u20ac \U0001F600"), "plain \u00e9 \u20ac \U0001F600");
  EXPECT_EQ(sanitize_utf8("a\xff" "b"), "a\uFFFD" "b");
  EXPECT_EQ(sanitize_utf8("\xc3"), "\uFFFD");              // truncated sequence
  EXPECT_EQ(sanitize_utf8("\xc0\xaf"), "\uFFFD\uFFFD");     // overlong form
  EXPECT_EQ(sanitize_utf8("\xed\xa0\x80"), "\uFFFD\uFFFD\uFFFD");  // surrogate
  EXPECT_EQ(sanitize_utf8("tab\tnl\ncr\r"), "tab\tnl\ncr\r");
  EXPECT_EQ(sanitize_utf8(std::string("nul\0bel\x07", 8)), "nul\uFFFD" "bel\uFFFD");
  EXPECT_EQ(sanitize_utf8("\xef\xbf\xbf"), "\uFFFD");       // U+FFFF is not an XML character
}

TEST(XmlEscape, EscapesMarkupAndBothQuotes) {
  EXPECT_EQ(xml_escape("<a href=\"x\">Tom & 'Jerry'</a>"),
            "&lt;a href=&quot;x&quot;&gt;Tom &amp; &#39;Jerry&#39;&lt;/a&gt;");
  EXPECT_EQ(xml_escape("]]>"), "]]&gt;");
  EXPECT_EQ(xml_escape("&amp;"), "&amp;amp;");
}

TEST(MarkdownText, EscapesMarkupPipesAndLineBreaks) {
  EXPECT_EQ(markdown_text("a|b"), "a\\|b");
  EXPECT_EQ(markdown_text("*bold* _it_ [link](x) <b> `c`"), "\\*bold\\* \\_it\\_ \\[link\\](x) \\<b\\> \\`c\\`");
  EXPECT_EQ(markdown_text("two\nlines"), "two lines");
}

TEST(MarkdownCode, FenceOutgrowsBackticksInside) {
  EXPECT_EQ(markdown_code("x", false), "`x`");
  EXPECT_EQ(markdown_code("a`b", false), "``a`b``");
  EXPECT_EQ(markdown_code("`a", false), "`` `a ``");
  EXPECT_EQ(markdown_code("a|b", true), "`a\\|b`");
  EXPECT_EQ(markdown_code("a|b", false), "`a|b`");
}

TEST(MarkdownCodeBlock, FenceOutgrowsBackticksInside) {
  EXPECT_EQ(markdown_code_block("ls", "sh"), "```sh\nls\n```\n");
  EXPECT_EQ(markdown_code_block("a ```` b", ""), "`````\na ```` b\n`````\n");
}

}  // namespace
}  // namespace reports
