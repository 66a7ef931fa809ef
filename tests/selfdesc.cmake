# Self-describing runs and warnings through the real command line.
#   MODE=params    run.params / run.schema / run.version / run.scenario_sha256
#                  are recorded; the hash follows the file's bytes; a --set
#                  key the scenario never reads is exit 2 naming it and the
#                  keys it reads (run and diagram), with no output; keys read
#                  by a required library and keys walked with pairs() count.
#   MODE=warnings  tests/selfdesc/warnings.lua: one stderr line per warning,
#                  in order, and the same list in results.json.
#   MODE=readme    the first scenario of README.md runs and its expectations
#                  hold.
#   Both: every key of run and of a warnings entry, and every warning kind,
#   is documented in docs/results.md (DOCS).
# CHAINSIM, DIR (tests/selfdesc), OUT, VERSION, DOCS.
file(REMOVE_RECURSE ${OUT})
file(MAKE_DIRECTORY ${OUT})

function(chainsim name)
  execute_process(COMMAND ${CHAINSIM} ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out
                  ERROR_VARIABLE err TIMEOUT 120)
  set(rc ${rc} PARENT_SCOPE)
  set(err "${err}" PARENT_SCOPE)
  message(STATUS "${name}: exit ${rc}\n${err}")
endfunction()

function(json_get var file)
  file(READ ${file} text)
  string(JSON v ERROR_VARIABLE e GET "${text}" ${ARGN})
  if(e)
    message(FATAL_ERROR "${file}: ${ARGN}: ${e}")
  endif()
  set(${var} "${v}" PARENT_SCOPE)
endfunction()

function(json_len var file)
  file(READ ${file} text)
  string(JSON v ERROR_VARIABLE e LENGTH "${text}" ${ARGN})
  if(e)
    message(FATAL_ERROR "${file}: ${ARGN}: ${e}")
  endif()
  set(${var} "${v}" PARENT_SCOPE)
endfunction()

function(expect_eq got want what)
  if(NOT "${got}" STREQUAL "${want}")
    message(FATAL_ERROR "${what}: got <${got}>, expected <${want}>")
  endif()
endfunction()

function(expect_contains text fragment what)
  string(FIND "${text}" "${fragment}" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "${what}: lacks <${fragment}> in:\n${text}")
  endif()
endfunction()

# Every member of the object at PATH... in results.json `file` appears in
# docs/results.md as a table row "| `PREFIX.KEY` |".
function(expect_documented file prefix)
  file(READ ${DOCS} docs)
  file(READ ${file} text)
  string(JSON n LENGTH "${text}" ${ARGN})
  math(EXPR last "${n} - 1")
  foreach(i RANGE ${last})
    string(JSON key MEMBER "${text}" ${ARGN} ${i})
    expect_contains("${docs}" "| `${prefix}${key}` |" "docs/results.md has a row for ${prefix}${key}")
  endforeach()
endfunction()

if(MODE STREQUAL "params")
  set(s ${DIR}/params.lua)
  chainsim(recorded run ${s} --out ${OUT}/a --quiet --no-figures --set want_label=x
           --set label=x --set duration=20s --set clients=7)
  expect_eq("${rc}" 0 "params read directly and by a required library")
  set(r ${OUT}/a/results.json)
  json_len(n ${r} run params)
  expect_eq("${n}" 4 "run.params size")
  # Sorted by key whatever the command line's order, values as given (read
  # from the text: CMake's JSON reader sorts members itself).
  file(READ ${r} text)
  string(REGEX MATCH "\"params\": {[^}]*}" got "${text}")
  string(REGEX REPLACE "[ \n]+" " " got "${got}")
  expect_eq("${got}" "\"params\": { \"clients\": \"7\", \"duration\": \"20s\", \"label\": \"x\", \"want_label\": \"x\" }" "run.params")
  json_get(schema ${r} run schema)
  expect_eq("${schema}" 2 "run.schema")
  json_get(version ${r} run version)
  expect_eq("${version}" "${VERSION}" "run.version")
  json_get(sha ${r} run scenario_sha256)
  file(SHA256 ${s} want)
  expect_eq("${sha}" "${want}" "run.scenario_sha256 of params.lua")

  expect_documented(${r} "run." run)

  # The hash follows the bytes: a copy with one more comment line differs.
  file(READ ${s} body)
  file(WRITE ${OUT}/copy/params.lua "${body}-- one more line\n")
  file(COPY ${DIR}/params_lib.lua DESTINATION ${OUT}/copy)
  chainsim(copy run ${OUT}/copy/params.lua --out ${OUT}/b --quiet --no-figures)
  expect_eq("${rc}" 0 "the copy runs")
  json_get(sha2 ${OUT}/b/results.json run scenario_sha256)
  file(SHA256 ${OUT}/copy/params.lua want2)
  expect_eq("${sha2}" "${want2}" "run.scenario_sha256 of the copy")
  if(sha2 STREQUAL sha)
    message(FATAL_ERROR "the hash did not change with the file")
  endif()
  json_len(n ${OUT}/b/results.json run params)
  expect_eq("${n}" 0 "run.params without --set")

  # A typo: exit 2, the key and the keys read named, nothing written.
  foreach(cmd run diagram)
    if(cmd STREQUAL "run")
      set(extra --out ${OUT}/typo --quiet)
    else()
      set(extra --format mermaid)
    endif()
    chainsim(typo-${cmd} ${cmd} ${s} ${extra} --set label=x --set lable=y)
    expect_eq("${rc}" 2 "${cmd} --set lable (typo)")
    expect_contains("${err}" "chainsim: params.lua: --set lable: the scenario never reads this parameter (the parameters it reads: clients, duration, label, want_label)" "${cmd} typo message")
  endforeach()
  file(GLOB left ${OUT}/typo/*)
  if(left)
    message(FATAL_ERROR "a refused --set left files: ${left}")
  endif()

  # pairs() takes every parameter in.
  chainsim(walk run ${DIR}/walk.lua --out ${OUT}/walk --quiet --no-figures --set b=two --set a=1)
  expect_eq("${rc}" 0 "a scenario walking chainsim.params with pairs()")

  # A key given twice is refused before anything runs.
  chainsim(twice run ${s} --out ${OUT}/twice --quiet --set label=x --set label=y)
  expect_eq("${rc}" 2 "--set label twice")
  expect_contains("${err}" "--set label: given twice (\"x\" and \"y\")" "twice message")

elseif(MODE STREQUAL "warnings")
  set(s ${DIR}/warnings.lua)
  chainsim(warnings run ${s} --out ${OUT}/w --quiet --no-figures)
  expect_eq("${rc}" 0 "warnings.lua (warnings do not change the exit status)")
  set(want
    "not_measured|13|1|question 1's answered() is read before sim:run: it is not measured yet"
    "not_measured|26|1|question 5's answered_fraction() is read before sim:run: it is not measured yet"
    "after_end|14|3|ask at 61s is after the run's end at 60s: it never happens"
    "after_end|15|1|deploy at 90s is after the run's end at 60s: it never happens"
    "after_end|16|1|crash at 120s is after the run's end at 60s: it never happens"
    "after_end|17|1|transfer at 70s is after the run's end at 60s: it never happens"
    "after_end|22|1|sim:at(61s, fn) is after the run's end at 60s: fn never runs"
    "after_end|19|1|ask at 300s is after the run's end at 60s: it never happens"
    "not_measured|30|1|question 1's answered_fraction(45s) needs the simulation up to 75s but it has only reached 60s: the figure is not measured yet"
    "not_measured|31|1|deploy 1's completed_fraction() needs the simulation up to 90s but it has only reached 60s: the figure is not measured yet"
    "not_measured|32|1|transfer 1's finished_at() needs the simulation up to 70s but it has only reached 60s: the figure is not measured yet"
  )
  # stderr: exactly these lines, in the order they arose (reads before the
  # run at once, times given before the run when sim:run learns its end),
  # and no other warning.
  set(lines "")
  foreach(w IN LISTS want)
    string(REPLACE "|" ";" f "${w}")
    list(GET f 1 line)
    list(GET f 3 msg)
    string(APPEND lines "chainsim: warning: ${s}:${line}: ${msg}\n")
  endforeach()
  string(REGEX MATCHALL "chainsim: warning: [^\n]*\n" got "${err}")
  string(REPLACE ";" "" got "${got}")
  expect_eq("${got}" "${lines}" "warning lines on stderr")
  # results.json: the same list.
  set(r ${OUT}/w/results.json)
  list(LENGTH want n)
  json_len(len ${r} warnings)
  expect_eq("${len}" "${n}" "results.json warnings")
  set(i 0)
  foreach(w IN LISTS want)
    string(REPLACE "|" ";" f "${w}")
    list(GET f 0 kind)
    list(GET f 1 line)
    list(GET f 2 count)
    list(GET f 3 msg)
    json_get(k ${r} warnings ${i} kind)
    json_get(where ${r} warnings ${i} where)
    json_get(c ${r} warnings ${i} count)
    json_get(m ${r} warnings ${i} message)
    expect_eq("${k}|${where}|${c}|${m}" "${kind}|${s}:${line}|${count}|${msg}" "warnings[${i}]")
    math(EXPR i "${i} + 1")
  endforeach()
  expect_documented(${r} "warnings[]." warnings 0)
  file(READ ${DOCS} docs)
  foreach(kind after_end not_measured over_capacity)
    expect_contains("${docs}" "**${kind}**" "docs/results.md explains warning kind ${kind}")
  endforeach()
elseif(MODE STREQUAL "readme")
  file(READ ${README} text)
  if(NOT text MATCHES "Save this as `first.lua`:\n\n```lua\n(.*)\n```\n\nand run it")
    message(FATAL_ERROR "README.md: no first scenario (\"Save this as `first.lua`:\" then a lua block)")
  endif()
  file(WRITE ${OUT}/first.lua "${CMAKE_MATCH_1}\n")
  chainsim(first run ${OUT}/first.lua --out ${OUT}/first --no-figures)
  expect_eq("${rc}" 0 "README.md's first scenario")
else()
  message(FATAL_ERROR "MODE must be params, warnings or readme")
endif()
