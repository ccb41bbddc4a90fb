#pragma once
// Byte buffers for the messages between ranks. Every rank runs the same binary on the same kind
// of machine (the usual MPI setting), so values are copied in native byte order; a reader checks
// sizes and throws sampling_error on a truncated or malformed message instead of reading past it.
#include <Eigen/Core>
#include <cstdint>
#include <cstring>
#include <string>
#include <type_traits>
#include <vector>

#include "../core/error.hpp"

namespace exmc::mpi::detail {

class writer {
 public:
  template <class T>
    requires std::is_trivially_copyable_v<T>
  writer& put(const T& v) {
    const auto* p = reinterpret_cast<const char*>(&v);
    bytes_.insert(bytes_.end(), p, p + sizeof(T));
    return *this;
  }
  writer& put(const std::string& s) {
    put(static_cast<std::uint64_t>(s.size()));
    bytes_.insert(bytes_.end(), s.begin(), s.end());
    return *this;
  }
  writer& put(const Eigen::MatrixXd& m) {
    put(static_cast<std::int64_t>(m.rows())).put(static_cast<std::int64_t>(m.cols()));
    raw(m.data(), static_cast<std::size_t>(m.size()));
    return *this;
  }
  writer& put(const Eigen::VectorXd& v) {
    put(static_cast<std::int64_t>(v.size()));
    raw(v.data(), static_cast<std::size_t>(v.size()));
    return *this;
  }
  void raw(const double* p, std::size_t n) {
    const auto* b = reinterpret_cast<const char*>(p);
    bytes_.insert(bytes_.end(), b, b + n * sizeof(double));
  }
  std::vector<char>& bytes() { return bytes_; }

 private:
  std::vector<char> bytes_;
};

class reader {
 public:
  reader(const char* data, std::size_t size) : p_(data), end_(data + size) {}

  template <class T>
    requires std::is_trivially_copyable_v<T>
  T get() {
    T v;
    std::memcpy(&v, take(sizeof(T)), sizeof(T));
    return v;
  }
  std::string get_string() {
    const auto n = get<std::uint64_t>();
    const char* p = take(n);
    return std::string(p, n);
  }
  Eigen::MatrixXd get_matrix() {
    const auto rows = get<std::int64_t>(), cols = get<std::int64_t>();
    if (rows < 0 || cols < 0) fail();
    Eigen::MatrixXd m(rows, cols);
    copy(m.data(), static_cast<std::size_t>(rows * cols));
    return m;
  }
  Eigen::VectorXd get_vector() {
    const auto n = get<std::int64_t>();
    if (n < 0) fail();
    Eigen::VectorXd v(n);
    copy(v.data(), static_cast<std::size_t>(n));
    return v;
  }
  void copy(double* out, std::size_t n) {
    if (n > static_cast<std::size_t>(end_ - p_) / sizeof(double)) fail();
    if (n > 0) std::memcpy(out, take(n * sizeof(double)), n * sizeof(double));
  }
  bool at_end() const { return p_ == end_; }

 private:
  const char* take(std::size_t n) {
    if (n > static_cast<std::size_t>(end_ - p_)) fail();
    const char* p = p_;
    p_ += n;
    return p;
  }
  [[noreturn]] static void fail() { throw sampling_error("mpi: truncated or malformed message between ranks"); }

  const char* p_;
  const char* end_;
};

}  // namespace exmc::mpi::detail
