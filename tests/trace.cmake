# --trace FILE: a run writes one CSV row per delivered message (header first,
# the rows in time order, the registrations of the scenario among them); a
# scenario that fails leaves no trace file and no temporary behind.
# A FIFO is written through in place; a trace inside --out joins the output set.
file(REMOVE_RECURSE ${OUT})
file(MAKE_DIRECTORY ${OUT})
execute_process(COMMAND ${CHAINSIM} run ${SCENARIO} --quiet --no-figures --out ${OUT}/good
                        --trace ${OUT}/trace.csv
                RESULT_VARIABLE rc ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "run with --trace: exit ${rc}\n${err}")
endif()
file(STRINGS ${OUT}/trace.csv rows)
list(LENGTH rows n)
list(GET rows 0 header)
if(NOT header STREQUAL "time_s,from,to,class,bytes,type,latency_ms" OR n LESS 10)
  message(FATAL_ERROR "trace.csv: header '${header}', ${n} lines")
endif()
set(last 0)
set(regs 0)
foreach(row IN LISTS rows)
  if(row MATCHES "^([0-9.]+),[0-9.]+,[0-9.]+,[a-z_]+,[0-9]+,([a-z_?]+),[0-9.]+$")
    set(t ${CMAKE_MATCH_1})
    if(t LESS last)
      message(FATAL_ERROR "trace.csv: rows out of time order at '${row}'")
    endif()
    set(last ${t})
    if(CMAKE_MATCH_2 STREQUAL "registration")
      math(EXPR regs "${regs} + 1")
    endif()
  elseif(NOT row STREQUAL header)
    message(FATAL_ERROR "trace.csv: malformed row '${row}'")
  endif()
endforeach()
if(regs EQUAL 0)
  message(FATAL_ERROR "trace.csv: no registration in the trace")
endif()

execute_process(COMMAND ${CHAINSIM} run ${BAD} --quiet --no-figures --out ${OUT}/bad
                        --trace ${OUT}/bad-trace.csv
                RESULT_VARIABLE rc ERROR_QUIET)
file(GLOB left ${OUT}/bad-trace.csv ${OUT}/.*)
if(NOT rc EQUAL 2 OR left)
  message(FATAL_ERROR "bad scenario with --trace: exit ${rc}, left behind: ${left}")
endif()

# --trace onto a FIFO writes through it in place: the reader gets the whole
# trace, and the FIFO is still a FIFO (it used to be replaced by a regular
# file; as root, --trace /dev/null replaced the device node).
set(fifo ${OUT}/trace.fifo)
execute_process(COMMAND mkfifo ${fifo} RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "mkfifo ${fifo} failed")
endif()
execute_process(COMMAND ${CHAINSIM} run ${SCENARIO} --quiet --no-figures --out ${OUT}/fifo
                        --trace ${fifo}
                COMMAND cat ${fifo}
                RESULTS_VARIABLE rcs OUTPUT_VARIABLE through ERROR_VARIABLE err TIMEOUT 60)
file(READ ${OUT}/trace.csv want)
if(NOT rcs STREQUAL "0;0" OR NOT through STREQUAL want)
  string(LENGTH "${through}" n)
  message(FATAL_ERROR "--trace onto a FIFO: exit ${rcs}, ${n} bytes through it\n${err}")
endif()
execute_process(COMMAND test -p ${fifo} RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "--trace replaced the FIFO ${fifo}")
endif()

# A trace inside a --out that does not exist yet joins the output set: it is
# written, listed in the manifest, and swapped in with the rest.
execute_process(COMMAND ${CHAINSIM} run ${SCENARIO} --quiet --no-figures --out ${OUT}/fresh
                        --trace ${OUT}/fresh/trace.csv
                RESULT_VARIABLE rc ERROR_VARIABLE err)
if(NOT rc EQUAL 0 OR NOT EXISTS ${OUT}/fresh/trace.csv)
  message(FATAL_ERROR "--trace inside a new --out: exit ${rc}\n${err}")
endif()
file(STRINGS ${OUT}/fresh/.chainsim-manifest listed REGEX "^trace.csv$")
if(NOT listed STREQUAL "trace.csv")
  message(FATAL_ERROR "--trace inside --out: not in the manifest: ${listed}")
endif()
