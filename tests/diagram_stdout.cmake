# chainsim diagram with its product on stdout (Mermaid or DOT, no -o): the
# scenario's print() goes to stderr, and stdout is a diagram and nothing else.
# For Mermaid: the first line is "flowchart" (or "graph") and every line is a
# node, edge, subgraph/end, style, class or comment line.  SCENARIO prints
# lines starting with "printed".
execute_process(COMMAND ${CHAINSIM} diagram ${SCENARIO} --format ${FORMAT}
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "diagram --format ${FORMAT}: exit ${rc}\n${err}")
endif()
if(NOT err MATCHES "printed while building: sites next\n"
   OR NOT err MATCHES "printed after the run:\t20\tclients\n")
  message(FATAL_ERROR "the scenario's prints are not on stderr:\n${err}")
endif()
if(out MATCHES "printed")
  message(FATAL_ERROR "a print went into the diagram on stdout:\n${out}")
endif()
string(REPLACE ";" "\\;" out "${out}")
string(REPLACE "\n" ";" lines "${out}")
list(GET lines 0 first)
if(FORMAT STREQUAL "mermaid")
  if(NOT first MATCHES "^(flowchart|graph) (TD|TB|LR|RL|BT)$")
    message(FATAL_ERROR "first line '${first}' is not a Mermaid flowchart header")
  endif()
  set(id "[A-Za-z_][A-Za-z0-9_]*")
  foreach(line IN LISTS lines)
    if(line MATCHES "^ *$" OR line MATCHES "^ *%%"
       OR line MATCHES "^ *(classDef|class|style|linkStyle|direction|subgraph|click) "
       OR line MATCHES "^ *end$"
       OR line MATCHES "^ *${id}(\\(|\\[|\\{|>)"
       OR line MATCHES "^ *${id} +(--|<--|==|<==|-\\.|<-\\.)"
       OR line STREQUAL first)
      continue()
    endif()
    message(FATAL_ERROR "not a Mermaid line: '${line}'")
  endforeach()
else()
  if(NOT first MATCHES "^(di)?graph ")
    message(FATAL_ERROR "first line '${first}' is not a DOT graph header")
  endif()
endif()
