// A generated corpus of malformed data files: whatever the input, the reader either succeeds or
// throws exmc::model_error, and every accessor on a parsed file does the same.
#include <catch2/catch.hpp>
#include <optional>
#include <string>
#include <vector>

#include "exmc/core/random.hpp"
#include "exmc/io/cmdstan_json.hpp"
#include "expect_error.hpp"

using exmc::data_file;

namespace {

const std::string seed_text =
    R"({"N": 3, "G": 2, "group": [1, 2, 2], "y": [0.5, -1e3, "Inf"],)"
    R"( "X": [[1, 2], [3, 4.5], [-5, 6]], "s": "NaN", "e": []})";

struct tally {
  int parsed = 0;
  int rejected = 0;
  int accessor_errors = 0;
};

// Parses text and exercises every accessor on every field (and on a missing one).
void exercise(const std::string& text, tally& t) {
  std::optional<data_file> parsed;
  const std::string parse_error = exmc_test::model_error_of([&] { parsed = data_file::parse(text, "fuzz.json"); });
  if (!parsed) {
    CHECK_FALSE(parse_error.empty());
    ++t.rejected;
    return;
  }
  const data_file& d = *parsed;
  ++t.parsed;
  auto names = d.names();
  names.push_back("missing");
  for (const auto& n : names) {
    const std::string msgs[] = {
        exmc_test::model_error_of([&] { (void)d.real(n); }),
        exmc_test::model_error_of([&] { (void)d.integer(n); }),
        exmc_test::model_error_of([&] { (void)d.vector(n); }),
        exmc_test::model_error_of([&] { (void)d.vector(n, 3); }),
        exmc_test::model_error_of([&] { (void)d.int_vector(n); }),
        exmc_test::model_error_of([&] { (void)d.int_vector(n, 3); }),
        exmc_test::model_error_of([&] { (void)d.matrix(n); }),
        exmc_test::model_error_of([&] { (void)d.matrix(n, 3, 2); }),
    };
    for (const auto& m : msgs) {
      if (m.empty()) continue;
      ++t.accessor_errors;
      // Every accessor error names the file and the field it is about.
      CHECK(m.find("fuzz.json") != std::string::npos);
      CHECK(m.find("'" + n + "'") != std::string::npos);
    }
  }
}

}  // namespace

TEST_CASE("every prefix of a valid data file is handled", "[io][fuzz]") {
  tally t;
  for (std::size_t len = 0; len <= seed_text.size(); ++len) exercise(seed_text.substr(0, len), t);
  CHECK(t.parsed == 1);  // only the whole text is valid JSON
  CHECK(t.rejected == static_cast<int>(seed_text.size()));
}

TEST_CASE("random byte mutations never escape as anything but model_error", "[io][fuzz]") {
  // Mutation alphabet weighted towards JSON's structural characters, plus bytes that are not
  // valid UTF-8 and control characters.
  const std::string alphabet = "[]{},:\"-+.eE0123456789 tnfINalsru\\\x01\x7f\xc3\xff";
  exmc::rng gen(20240611, 0);
  tally t;
  for (int trial = 0; trial < 10000; ++trial) {
    std::string text = seed_text;
    const int edits = 1 + static_cast<int>(gen.below(4));
    for (int e = 0; e < edits; ++e) {
      const auto pos = static_cast<std::size_t>(gen.below(text.size()));
      const char c = alphabet[gen.below(alphabet.size())];
      switch (gen.below(3)) {
        case 0: text[pos] = c; break;
        case 1: text.insert(text.begin() + static_cast<std::ptrdiff_t>(pos), c); break;
        default: text.erase(pos, 1); break;
      }
    }
    exercise(text, t);
  }
  // The corpus must reach both outcomes, or it tests nothing.
  CHECK(t.parsed > 300);
  CHECK(t.rejected > 300);
  CHECK(t.accessor_errors > 3000);
}

TEST_CASE("every field replaced by every kind of wrong value is handled", "[io][fuzz]") {
  const std::vector<std::string> values = {
      "null", "true", "false", "\"x\"", "\"\"", "{}", "{\"a\": [1]}", "[]", "[[]]", "[[[]]]",
      "[null]", "[1, \"a\"]", "[[1], [2, 3]]", "[[1, 2], 3]", "1.5", "-0", "2.0", "1e308",
      "-1e-320", "2147483648", "-2147483649", "18446744073709551615", "[\"-Inf\", \"nan\"]",
      "\"+\"", "\"-\"", "[[1, 2], [3, 4], [5, \"NaN\"]]", "[1, 2, 3]", "[[1, 2], [3, 4], [5, 6]]"};
  const std::vector<std::string> fields = {"N", "group", "y", "X", "s"};
  tally t;
  for (const auto& f : fields)
    for (const auto& v : values) {
      std::string text = R"({"N": 3, "group": [1, 2, 2], "y": [0.5, 1, 2], "X": [[1, 2], [3, 4], [5, 6]], "s": 1})";
      const auto key = "\"" + f + "\": ";
      const auto start = text.find(key) + key.size();
      const auto stop = text.find(f == "s" ? "}" : (f == "X" ? ", \"s\"" : ", \""), start);
      text.replace(start, stop - start, v);
      exercise(text, t);
    }
  CHECK(t.rejected == 0);  // every substitute is valid JSON: the accessors must do the work
  CHECK(t.accessor_errors > 500);
}
