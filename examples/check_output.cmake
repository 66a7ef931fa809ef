# Runs EMBED and fails unless it exits 0 and prints exactly EXPECTED.
execute_process(COMMAND ${EMBED} OUTPUT_VARIABLE out ERROR_VARIABLE err RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "embed exited with ${rc}: ${err}")
endif()
file(READ ${EXPECTED} want)
if(NOT out STREQUAL want)
  message(FATAL_ERROR "embed printed:\n${out}\nexpected:\n${want}")
endif()
