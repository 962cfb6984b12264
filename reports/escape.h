// Escaping for the report formats. Every string that reaches junit.xml,
// report.html or summary.md passes through one of these: scenario names,
// descriptions and "observed" texts can hold anything, including bytes that
// are not UTF-8 and text that looks like markup.
#pragma once

#include <string>
#include <string_view>

namespace reports {

// `text` as valid UTF-8: each byte that does not start a well-formed
// sequence becomes U+FFFD, as do the control characters XML 1.0 forbids
// (everything below 0x20 except tab, newline and carriage return).
std::string sanitize_utf8(std::string_view text);

// Sanitized and with & < > " ' replaced by entities: safe in XML/XHTML
// element content and in attribute values of either quote style.
std::string xml_escape(std::string_view text);

// Sanitized plain text for a Markdown paragraph or GFM table cell: markup
// characters are backslash-escaped, '|' included, and line breaks become
// spaces so that a cell stays on its row.
std::string markdown_text(std::string_view text);

// A Markdown code span holding `text` literally (fence longer than any run
// of backticks inside). `in_table` also escapes '|', which GFM treats as a
// cell separator even inside code spans.
std::string markdown_code(std::string_view text, bool in_table);

// A fenced code block holding `text` literally, fenced with more backticks
// than the longest run inside.
std::string markdown_code_block(std::string_view text, std::string_view info);

}  // namespace reports
