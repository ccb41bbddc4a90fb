#pragma once
// Counts heap allocations: replaces the global operator new and delete, in every form, with malloc
// and free plus a counter. The replacements are definitions: include this header in one
// translation unit of a test executable only; that whole executable then counts.
#include <atomic>
#include <cstdlib>
#include <new>

namespace exmc::test {
inline std::atomic<long> allocations{0};
}  // namespace exmc::test

void* operator new(std::size_t n) {
  ++exmc::test::allocations;
  if (void* p = std::malloc(n ? n : 1)) return p;
  throw std::bad_alloc();
}
void* operator new[](std::size_t n) {
  ++exmc::test::allocations;
  if (void* p = std::malloc(n ? n : 1)) return p;
  throw std::bad_alloc();
}
// Every form that the default delete might be paired with is replaced (std::stable_sort uses the
// nothrow form), so AddressSanitizer sees matching pairs.
void* operator new(std::size_t n, const std::nothrow_t&) noexcept {
  ++exmc::test::allocations;
  return std::malloc(n ? n : 1);
}
void* operator new[](std::size_t n, const std::nothrow_t&) noexcept {
  ++exmc::test::allocations;
  return std::malloc(n ? n : 1);
}
void operator delete(void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
