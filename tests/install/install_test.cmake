# Installs exmc into a scratch prefix, then configures, builds and runs a consumer project that
# finds it with find_package(exmc).
set(work ${BINARY_DIR}/install_test)
file(REMOVE_RECURSE ${work})
function(run)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "command failed (${rc}): ${ARGN}\n${out}\n${err}")
  endif()
  message(STATUS "${out}")
endfunction()
run(${CMAKE_COMMAND} -S ${SOURCE_DIR} -B ${work}/build -DEXMC_BUILD_TESTS=OFF -DEXMC_BUILD_EXAMPLES=OFF
    -DCMAKE_INSTALL_PREFIX=${work}/prefix)
run(${CMAKE_COMMAND} --install ${work}/build)
run(${CMAKE_COMMAND} -S ${SOURCE_DIR}/tests/install/consumer -B ${work}/consumer -DCMAKE_PREFIX_PATH=${work}/prefix
    -DCMAKE_BUILD_TYPE=Release)
run(${CMAKE_COMMAND} --build ${work}/consumer)
run(${work}/consumer/consumer)
