# The live dashboard (include/exmc/dashboard/) serves its page with cpp-httplib, which Debian's
# libcpp-httplib-dev ships as a compiled library (pkg-config cpp-httplib). exmc::dashboard is the
# interface target for programs that serve the page; write_report() needs none of it, only
# Chart.js (libjs-chart.js) at run time. Without cpp-httplib the dashboard's tests and example
# are skipped.
find_package(PkgConfig QUIET)
if(PkgConfig_FOUND)
  pkg_check_modules(EXMC_CPP_HTTPLIB QUIET IMPORTED_TARGET cpp-httplib)
endif()
if(TARGET PkgConfig::EXMC_CPP_HTTPLIB)
  add_library(exmc_dashboard INTERFACE)
  add_library(exmc::dashboard ALIAS exmc_dashboard)
  target_link_libraries(exmc_dashboard INTERFACE exmc::exmc PkgConfig::EXMC_CPP_HTTPLIB)
else()
  message(STATUS "exmc: cpp-httplib not found (apt-get install libcpp-httplib-dev): dashboard tests and example skipped")
endif()
