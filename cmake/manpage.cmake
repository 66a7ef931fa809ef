# manpage.cmake: writes chainsim.1 (roff, man(7) macros) from the program's
# own help, so the page never drifts from the options.
#   cmake -DCHAINSIM=path/to/chainsim -DVERSION=x.y.z -DOUT=chainsim.1 -P manpage.cmake
# NAME and SYNOPSIS come from `chainsim --help`'s usage line; DESCRIPTION is
# the whole of `chainsim --help`; COMMANDS has one subsection per command
# with its `chainsim COMMAND --help`, each kept as written (.nf).  No date in
# the page: the same program gives the same bytes.

# Help text as roff: backslashes doubled, a line starting with . or ' guarded.
function(roff_block text out)
  string(REPLACE "\\" "\\e" text "${text}")
  string(REGEX REPLACE "(^|\n)([.'])" "\\1\\\\&\\2" text "${text}")
  string(REGEX REPLACE "-" "\\\\-" text "${text}")
  set(${out} ".nf\n${text}\n.fi\n" PARENT_SCOPE)
endfunction()

function(help out)
  execute_process(COMMAND ${CHAINSIM} ${ARGN} OUTPUT_VARIABLE text RESULT_VARIABLE rc
                  OUTPUT_STRIP_TRAILING_WHITESPACE)
  if(NOT rc EQUAL 0 OR text STREQUAL "")
    message(FATAL_ERROR "manpage.cmake: '${CHAINSIM} ${ARGN}' exited ${rc}")
  endif()
  set(${out} "${text}" PARENT_SCOPE)
endfunction()

help(main --help)
# "Usage:\n  chainsim [OPTION?] COMMAND [ARGUMENTS...] - what it is"
if(NOT main MATCHES "Usage:\n +chainsim ([^\n]*) - ([^\n]*)")
  message(FATAL_ERROR "manpage.cmake: no usage line in chainsim --help")
endif()
set(synopsis "${CMAKE_MATCH_1}")
set(what "${CMAKE_MATCH_2}")
# The commands: the lines "  NAME  text" of the Commands: block.
string(REGEX MATCH "Commands:\n(( +[a-z]+ +[^\n]*\n)+)" block "${main}")
string(REGEX MATCHALL "\n +[a-z]+ " commands "\n${CMAKE_MATCH_1}")
string(REGEX REPLACE "[\n ]" "" commands "${commands}")

set(page ".TH CHAINSIM 1 \"\" \"chainsim ${VERSION}\" \"User Commands\"\n")
string(REPLACE "-" "\\-" what_roff "${what}")
string(APPEND page ".SH NAME\nchainsim \\- ${what_roff}\n.SH SYNOPSIS\n")
string(REPLACE "-" "\\-" synopsis "${synopsis}")
string(APPEND page ".B chainsim\n${synopsis}\n")
roff_block("${main}" body)
string(APPEND page ".SH DESCRIPTION\n${body}.SH COMMANDS\n")
foreach(c ${commands})
  help(text ${c} --help)
  roff_block("${text}" body)
  string(APPEND page ".SS \"chainsim ${c}\"\n${body}")
endforeach()
string(APPEND page ".SH SEE ALSO\nThe documentation in the source tree: docs/scenarios.md, docs/results.md, docs/model.md, docs/studies.md, docs/library.md.\n")
file(WRITE "${OUT}.tmp" "${page}")
file(RENAME "${OUT}.tmp" "${OUT}")
