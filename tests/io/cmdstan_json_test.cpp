#include "exmc/io/cmdstan_json.hpp"

#include <catch2/catch.hpp>
#include <cmath>
#include <string>

#include "expect_error.hpp"

using Catch::Matchers::Contains;
using exmc::data_file;
using exmc_test::model_error_of;

namespace {
std::string data_path(const std::string& name) { return std::string(EXMC_DATA_DIR) + "/" + name + ".json"; }
}  // namespace

TEST_CASE("data_file reads scalars, vectors and matrices", "[io]") {
  const auto d = data_file::parse(R"({"N": 3, "x": 2.5, "y": [1, -2.5, 3e2],
      "g": [1, 2, 2], "X": [[1, 2], [3, 4], [5, 6.5]]})");
  CHECK(d.integer("N") == 3);
  CHECK(d.real("N") == 3.0);
  CHECK(d.real("x") == 2.5);
  const Eigen::VectorXd y = d.vector("y", 3);
  CHECK(y[0] == 1.0);
  CHECK(y[1] == -2.5);
  CHECK(y[2] == 300.0);
  const Eigen::VectorXi g = d.int_vector("g");
  REQUIRE(g.size() == 3);
  CHECK(g[0] == 1);
  CHECK(g[2] == 2);
  const Eigen::MatrixXd X = d.matrix("X", 3, 2);
  CHECK(X(0, 1) == 2.0);  // arrays of rows: row 0 is [1, 2]
  CHECK(X(2, 1) == 6.5);
  CHECK(X(1, 0) == 3.0);
  CHECK(d.contains("X"));
  CHECK_FALSE(d.contains("Z"));
  CHECK(d.names().size() == 5);
}

TEST_CASE("data_file follows CmdStan's encodings of non-finite reals", "[io]") {
  const auto d = data_file::parse(
      R"({"v": ["NaN", "Inf", "-Inf", "+inf", "Infinity", "-infinity", "+Infinity", 1]})");
  const Eigen::VectorXd v = d.vector("v");
  REQUIRE(v.size() == 8);
  CHECK(std::isnan(v[0]));
  CHECK(v[1] == HUGE_VAL);
  CHECK(v[2] == -HUGE_VAL);
  CHECK(v[3] == HUGE_VAL);
  CHECK(v[4] == HUGE_VAL);
  CHECK(v[5] == -HUGE_VAL);
  CHECK(v[6] == HUGE_VAL);
  CHECK(v[7] == 1.0);
  CHECK_THAT(model_error_of([&] { d.int_vector("v"); }), Contains("field 'v'[0]") && Contains("integer"));
  const auto bad = data_file::parse(R"({"s": "infinite"})");
  CHECK_THAT(model_error_of([&] { bad.real("s"); }), Contains("expected a real number") && Contains("infinite"));
}

TEST_CASE("data_file treats scalars and length-1 arrays alike, empty arrays as size 0", "[io]") {
  const auto d = data_file::parse(R"({"a": [4], "b": 4.5, "e": [], "m": [[], []], "n": [[7]]})");
  CHECK(d.integer("a") == 4);
  CHECK(d.real("a") == 4.0);
  CHECK(d.vector("b").size() == 1);
  CHECK(d.vector("b")[0] == 4.5);
  CHECK(d.vector("e").size() == 0);
  CHECK(d.int_vector("e", 0).size() == 0);
  CHECK(d.matrix("e").size() == 0);
  CHECK(d.matrix("e", 0, 20).cols() == 20);  // N = 0 rows of K = 20 columns
  CHECK(d.matrix("m").rows() == 2);
  CHECK(d.matrix("m").cols() == 0);
  CHECK(d.matrix("n")(0, 0) == 7.0);
  CHECK_THAT(model_error_of([&] { d.real("e"); }), Contains("single value") && Contains("0 entries"));
  CHECK_THAT(model_error_of([&] { d.real("n"); }), Contains("single value"));
}

TEST_CASE("data_file errors name the file, the field and the problem", "[io]") {
  const auto d = data_file::parse(
      R"({"N": 2.0, "M": 2.5, "big": 3000000000, "neg": -3000000000, "flag": true, "nothing": null,
          "word": "abc", "obj": {"a": 1}, "nested": [[1, 2], [3]], "deep": [[[1]]],
          "rows": [1, 2], "v": [1, [2]], "ok": [1, 2, 3]})",
      "my_data.json");
  CHECK_THAT(model_error_of([&] { d.real("absent"); }),
             Contains("my_data.json") && Contains("no field named 'absent'"));
  CHECK_THAT(model_error_of([&] { d.integer("N"); }),
             Contains("field 'N'") && Contains("expected an integer") && Contains("decimal point"));
  CHECK_THAT(model_error_of([&] { d.integer("M"); }), Contains("field 'M'") && Contains("2.5"));
  CHECK_THAT(model_error_of([&] { d.integer("big"); }), Contains("32-bit"));
  CHECK_THAT(model_error_of([&] { d.integer("neg"); }), Contains("32-bit"));
  CHECK(d.real("big") == 3e9);
  CHECK_THAT(model_error_of([&] { d.real("flag"); }), Contains("field 'flag'") && Contains("boolean"));
  CHECK_THAT(model_error_of([&] { d.real("nothing"); }), Contains("null"));
  CHECK_THAT(model_error_of([&] { d.vector("word"); }), Contains("field 'word'[0]") && Contains("abc"));
  CHECK_THAT(model_error_of([&] { d.vector("obj"); }), Contains("an object"));
  CHECK_THAT(model_error_of([&] { d.matrix("nested"); }),
             Contains("ragged matrix") && Contains("row 1 has 1"));
  CHECK_THAT(model_error_of([&] { d.matrix("deep"); }), Contains("field 'deep'[0][0]"));
  CHECK_THAT(model_error_of([&] { d.matrix("rows"); }), Contains("row 0 is a number"));
  CHECK_THAT(model_error_of([&] { d.matrix("word"); }), Contains("expected a matrix"));
  CHECK_THAT(model_error_of([&] { d.vector("nested"); }), Contains("one-dimensional"));
  CHECK_THAT(model_error_of([&] { d.int_vector("v"); }), Contains("entry 1 is itself an array"));
  CHECK_THAT(model_error_of([&] { d.vector("ok", 4); }), Contains("expected 4 entries, found 3"));
  CHECK_THAT(model_error_of([&] { d.int_vector("ok", 2); }), Contains("expected 2 entries, found 3"));
  CHECK_THAT(model_error_of([&] { d.matrix("nested", 2, 2); }), Contains("ragged"));
  CHECK_THAT(model_error_of([&] { data_file::parse(R"({"X": [[1, 2]]})").matrix("X", 2, 2); }),
             Contains("expected a 2 x 2 matrix, found 1 x 2"));
}

TEST_CASE("data_file rejects malformed documents with model_error", "[io]") {
  CHECK_THAT(model_error_of([] { data_file::parse(R"({"a": 1,})", "f.json"); }),
             Contains("f.json") && Contains("not valid JSON"));
  CHECK_THAT(model_error_of([] { data_file::parse("[1, 2]"); }), Contains("top level must be a JSON object"));
  CHECK_THAT(model_error_of([] { data_file::parse(""); }), Contains("not valid JSON"));
  CHECK_THAT(model_error_of([] { data_file::parse(R"({"a": 1, "b": 2, "a": 3})"); }),
             Contains("field 'a' appears more than once"));
  CHECK_THAT(model_error_of([] { data_file::parse(R"({"a": 1e999})"); }), Contains("not valid JSON"));
  // Keys repeated inside nested objects are not data fields and do not count as duplicates.
  CHECK(model_error_of([] { data_file::parse(R"({"a": {"k": 1}, "b": {"k": 2}})"); }).empty());
  CHECK_THAT(model_error_of([] { data_file::from_file("/nonexistent/dir/data.json"); }),
             Contains("/nonexistent/dir/data.json") && Contains("cannot be opened"));
}

TEST_CASE("data_file reads every benchmark data file with the declared sizes", "[io]") {
  const auto simple = data_file::from_file(data_path("simple"));
  CHECK(simple.vector("y", simple.integer("N")).size() == 100);

  const auto medium = data_file::from_file(data_path("medium"));
  const int n = medium.integer("N");
  const Eigen::VectorXi group = medium.int_vector("group", n);
  CHECK(group.minCoeff() == 1);
  CHECK(group.maxCoeff() == medium.integer("G"));
  CHECK(medium.vector("y", n).allFinite());

  const auto stress = data_file::from_file(data_path("stress"));
  CHECK(stress.int_vector("group", stress.integer("N")).maxCoeff() == 3);

  const auto schools = data_file::from_file(data_path("eight_schools"));
  const Eigen::VectorXd y = schools.vector("y", schools.integer("J"));
  CHECK(y[0] == 28.0);
  CHECK(schools.vector("sigma", 8)[7] == 18.0);

  const auto funnel = data_file::from_file(data_path("funnel"));
  CHECK(funnel.names().empty());

  const auto logistic = data_file::from_file(data_path("logistic"));
  const Eigen::MatrixXd X = logistic.matrix("X", logistic.integer("N"), logistic.integer("K"));
  CHECK(X.rows() == 500);
  CHECK(X.cols() == 20);
  CHECK(X(0, 0) == Approx(-1.47399632587085).epsilon(1e-15));
  const Eigen::VectorXi yl = logistic.int_vector("y", 500);
  CHECK(yl.minCoeff() == 0);
  CHECK(yl.maxCoeff() == 1);

  const auto sv = data_file::from_file(data_path("sv"));
  CHECK(sv.vector("r", sv.integer("T")).size() == 100);
}
