#include "reports/json_reader.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace reports {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;

TEST(TextPosition, CountsLinesAndColumnsFromOne) {
  const std::string_view text = "ab\ncde\n\nf";
  EXPECT_EQ(text_position(text, 0).line, 1u);
  EXPECT_EQ(text_position(text, 0).column, 1u);
  EXPECT_EQ(text_position(text, 4).line, 2u);   // 'd'
  EXPECT_EQ(text_position(text, 4).column, 2u);
  EXPECT_EQ(text_position(text, 8).line, 4u);   // 'f'
  EXPECT_EQ(text_position(text, 8).column, 1u);
  EXPECT_EQ(text_position(text, 100).line, 4u);  // clamped to the end
}

TEST(ParseJson, SyntaxErrorNamesSourceLineAndColumn) {
  std::vector<JsonProblem> problems;
  auto r = parse_json("{\n  \"a\": 1,\n  \"b\": tru\n}\n", "cat.json", problems);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), vfs::StatusCode::kInvalidArgument);
  EXPECT_THAT(r.status().message(), HasSubstr("cat.json:3:"));
  EXPECT_THAT(r.status().message(), HasSubstr("malformed JSON: "));
  // nlohmann's own prefix is replaced by ours.
  EXPECT_THAT(r.status().message(), ::testing::Not(HasSubstr("json.exception")));
}

TEST(ParseJson, TruncatedDocumentPointsAtTheEnd) {
  std::vector<JsonProblem> problems;
  auto r = parse_json("{\"a\": [1, 2", "t.json", problems);
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.status().message(), HasSubstr("t.json:1:"));
}

TEST(ParseJson, RepeatedKeysAreProblemsAtTheirObject) {
  std::vector<JsonProblem> problems;
  auto r = parse_json(R"({"a": {"x": 1, "x": 2}, "list": [{}, {"k": 1, "k": 2}], "a/b~": {"y": 0, "y": 0}})", "d",
                      problems);
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  ASSERT_EQ(problems.size(), 3u);
  EXPECT_EQ(problems[0].pointer, "/a");
  EXPECT_EQ(problems[0].message, "duplicate key 'x'");
  EXPECT_EQ(problems[1].pointer, "/list/1");
  EXPECT_EQ(problems[2].pointer, "/a~1b~0");
}

TEST(Pointer, EscapesTildeAndSlash) {
  EXPECT_EQ(pointer_append("", "a"), "/a");
  EXPECT_EQ(pointer_append("/x", "a/b~c"), "/x/a~1b~0c");
  EXPECT_EQ(pointer_append("/x", size_t{3}), "/x/3");
}

TEST(ObjectReader, UnknownFieldsAreReportedWithTheAllowedOnes) {
  std::vector<JsonProblem> problems;
  const json doc = {{"name", "x"}, {"nmae", "y"}};
  ObjectReader o(JsonValue(doc, "/s", problems), {"name", "size"});
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems[0].pointer, "/s/nmae");
  EXPECT_EQ(problems[0].message, "unknown field 'nmae' (expected one of: name, size)");
}

TEST(ObjectReader, MissingRequiredAndDefaultsForOptional) {
  std::vector<JsonProblem> problems;
  const json doc = json::object();
  ObjectReader o(JsonValue(doc, "", problems), {"name", "size"});
  std::string name = "unchanged";
  uint32_t size = 7;
  EXPECT_FALSE(o.read_string("name", Need::kRequired, name));
  EXPECT_FALSE(o.read_uint("size", Need::kOptional, 0, 10, size));
  EXPECT_EQ(name, "unchanged");
  EXPECT_EQ(size, 7u);
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems[0].pointer, "/name");
  EXPECT_EQ(problems[0].message, "missing required field 'name'");
}

TEST(ObjectReader, WrongTypesAndRangesSayWhatWasExpected) {
  std::vector<JsonProblem> problems;
  const json doc = {{"n", "ten"}, {"m", 11}, {"f", 1.5}, {"neg", -1}, {"b", 1}, {"d", "x"}, {"obj", {1, 2}}};
  ObjectReader o(JsonValue(doc, "", problems), {"n", "m", "f", "neg", "b", "d"});
  uint32_t n = 0;
  bool b = false;
  double d = 0;
  o.read_uint("n", Need::kRequired, 1, 10, n);
  o.read_uint("m", Need::kRequired, 1, 10, n);
  o.read_uint("f", Need::kRequired, 1, 10, n);
  o.read_uint("neg", Need::kRequired, 0, 10, n);
  o.read_bool("b", Need::kRequired, b);
  o.read_number("d", Need::kRequired, 0, 1, d);
  ASSERT_EQ(problems.size(), 7u);
  EXPECT_EQ(problems[0].message, "unknown field 'obj' (expected one of: n, m, f, neg, b, d)");
  EXPECT_EQ(problems[1].message, "expected an integer in [1, 10], got string \"ten\"");
  EXPECT_EQ(problems[2].message, "11 is out of range (expected an integer in [1, 10])");
  EXPECT_EQ(problems[3].message, "expected an integer in [1, 10], got number 1.5");
  EXPECT_EQ(problems[4].message, "-1 is out of range (expected an integer in [0, 10])");
  EXPECT_EQ(problems[5].message, "expected a boolean, got integer 1");
  EXPECT_EQ(problems[6].message, "expected a number in [0.0, 1.0], got string \"x\"");
}

TEST(JsonValue, NamesAndStringSets) {
  std::vector<JsonProblem> problems;
  const json doc = {{"model", "reordr"}, {"tags", {"a", "b", "a", 3}}};
  const std::array<std::string_view, 2> names = {"reorder", "torn"};
  EXPECT_FALSE(JsonValue(doc["model"], "/model", problems).as_name(names, "model"));
  EXPECT_FALSE(JsonValue(doc["tags"], "/tags", problems).as_string_set("tag"));
  const json good = "torn";
  EXPECT_EQ(JsonValue(good, "", problems).as_name(names, "model"), std::optional<size_t>(1));
  ASSERT_EQ(problems.size(), 3u);
  EXPECT_EQ(problems[0].message, "unknown model 'reordr' (expected one of: reorder, torn)");
  EXPECT_EQ(problems[1].pointer, "/tags/2");
  EXPECT_EQ(problems[1].message, "duplicate tag 'a'");
  EXPECT_EQ(problems[2].pointer, "/tags/3");
}

TEST(JsonValue, LongValuesAreCutInMessages) {
  std::vector<JsonProblem> problems;
  const json doc = std::string(200, 'x');
  JsonValue(doc, "", problems).as_bool();
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_LT(problems[0].message.size(), 80u);
  EXPECT_THAT(problems[0].message, HasSubstr("..."));
}

TEST(FormatProblems, OneLinePerProblemWithSourceAndPointer) {
  const std::vector<JsonProblem> problems = {{"", "top"}, {"/a/0", "deep"}};
  EXPECT_EQ(format_problems("f.json", problems), "f.json (/): top\nf.json (/a/0): deep");
}

}  // namespace
}  // namespace reports
