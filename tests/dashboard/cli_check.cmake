# The command line with the dashboard built in (dashboard_fixture cli ...): `sample --dashboard 0`
# serves the page and says where, a non-loopback address that cannot be bound is a usage error,
# and `report` writes one self-contained HTML file from the Stan CSV files.
file(REMOVE_RECURSE ${DIR})
file(MAKE_DIRECTORY ${DIR})
execute_process(COMMAND ${PROGRAM} cli sample --chains 2 --warmup 100 --draws 100 --progress none --quiet
                        --dashboard 0 --output ${DIR}/out.csv
                RESULT_VARIABLE rc ERROR_VARIABLE err TIMEOUT 60)
if(NOT rc EQUAL 0 OR NOT err MATCHES "exmc dashboard: http://127\\.0\\.0\\.1:[0-9]+/")
  message(FATAL_ERROR "sample --dashboard 0 exited with ${rc}: ${err}")
endif()
execute_process(COMMAND ${PROGRAM} cli sample --dashboard 0 --dashboard-host 256.1.1.1 --output ${DIR}/unused.csv
                RESULT_VARIABLE rc ERROR_VARIABLE err TIMEOUT 60)
if(NOT rc EQUAL 2 OR NOT err MATCHES "cannot listen on 256\\.1\\.1\\.1")
  message(FATAL_ERROR "an address that cannot be bound gave exit ${rc} and: ${err}")
endif()
execute_process(COMMAND ${PROGRAM} cli report ${DIR}/out_1.csv ${DIR}/out_2.csv -o ${DIR}/report.html
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err TIMEOUT 60)
if(NOT rc EQUAL 0 OR NOT out MATCHES "report written to")
  message(FATAL_ERROR "report exited with ${rc}: ${out} ${err}")
endif()
file(READ ${DIR}/report.html html)
foreach(needle "Chart.js v" "\"mode\":\"report\"" "\"theta[7]\"")
  string(FIND "${html}" "${needle}" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "the report lacks ${needle}")
  endif()
endforeach()
