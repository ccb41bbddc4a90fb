#pragma once
// Runs f and returns the message of the exmc::model_error it throws ("" when it returns).
// Any other exception fails the test: bad data must always surface as model_error.
#include <catch2/catch.hpp>
#include <exception>
#include <string>

#include "exmc/core/error.hpp"

namespace exmc_test {

template <class F>
std::string model_error_of(F&& f) {
  try {
    f();
  } catch (const exmc::model_error& e) {
    return e.what();
  } catch (const std::exception& e) {
    FAIL("expected exmc::model_error, got another exception: " << e.what());
  } catch (...) {
    FAIL("expected exmc::model_error, got a non-std exception");
  }
  return "";
}

}  // namespace exmc_test
