# --out DIR is replaced as a whole (app/outset.h), even when chainsim is
# killed while writing it, and the user's own files in DIR survive:
#   0. a run that fails creates neither DIR nor its missing parents;
#   1. a run writes set A; the user adds files, a folder and a hidden file;
#      a dead run left a temporary in DIR and a staging folder beside it;
#   2. a run killed half-way, or just before the swap, leaves DIR exactly as
#      it was;
#   3. a run killed just after the swap leaves DIR holding its whole set
#      (byte-identical to a reference run of the same seed), nothing of A;
#   4. a normal run cleans up what the dead ones left, moves the user's
#      folder back, and leaves exactly its own set plus the user's files;
#   5. run from inside DIR (--out .), the set is replaced file by file (no
#      swap: the shell would be left in a deleted folder): the same result,
#      the previous set's figures deleted.
set(small --set endpoints=300 --set duration=1m --quiet)
set(dir ${OUT}/set)
file(REMOVE_RECURSE ${OUT})
file(MAKE_DIRECTORY ${OUT})

# run(SEED DIR [KILL-POINT] [chainsim arguments...])
function(run seed out)
  set(prefix "")
  if(ARGV2 MATCHES "swap$|^partial$")
    set(prefix env CHAINSIM_TEST_KILL=${ARGV2})
    list(REMOVE_AT ARGN 0)
  endif()
  execute_process(COMMAND ${prefix} ${CHAINSIM} run --seed ${seed} --out ${out} ${small} ${ARGN}
                  RESULT_VARIABLE rc ERROR_VARIABLE err)
  set(rc "${rc}" PARENT_SCOPE)
  set(err "${err}" PARENT_SCOPE)
endfunction()

function(same a b what)
  execute_process(COMMAND ${CMAKE_COMMAND} -E compare_files ${a} ${b} RESULT_VARIABLE diff)
  if(NOT diff EQUAL 0)
    message(FATAL_ERROR "${what}: ${a} and ${b} differ")
  endif()
endfunction()

# Names in a folder (hidden ones too), sorted, as one string.
function(names folder var)
  file(GLOB list RELATIVE ${folder} ${folder}/* ${folder}/.*)
  list(SORT list)
  string(REPLACE ";" " " list "${list}")
  set(${var} "${list}" PARENT_SCOPE)
endfunction()

# 0. A run that fails creates nothing: not DIR, not its missing parents.
execute_process(COMMAND ${CHAINSIM} run ${BAD} --out ${OUT}/new/deeper/set --quiet
                RESULT_VARIABLE rc ERROR_VARIABLE err)
names(${OUT} left)
if(NOT rc EQUAL 2 OR NOT left STREQUAL "")
  message(FATAL_ERROR "a bad scenario: exit ${rc}, left in ${OUT}: ${left}\n${err}")
endif()

foreach(seed 1 2 3)
  run(${seed} ${OUT}/ref${seed})
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "reference run ${seed}: exit ${rc}\n${err}")
  endif()
endforeach()

# 1. Set A, the user's files, what a dead run left.
run(1 ${dir})
file(WRITE ${dir}/notes.txt "the user's own notes\n")
file(WRITE ${dir}/.hidden "the user's hidden file\n")
file(WRITE ${dir}/mine/kept.txt "in the user's folder\n")
execute_process(COMMAND sh -c "echo $$" OUTPUT_VARIABLE dead OUTPUT_STRIP_TRAILING_WHITESPACE)
file(WRITE ${dir}/.timeseries.csv.tmp-${dead}-0 "half a time series")
file(WRITE ${OUT}/.set.chainsim-${dead}/.chainsim-partial "")
file(WRITE ${OUT}/.set.chainsim-${dead}/results.json "{ half")
names(${dir} before)

# 2a. Killed with the set half-made (still marked partial): DIR as it was;
# its staging folder is beside it, marked partial.
run(2 ${dir} partial)
if(rc EQUAL 0)
  message(FATAL_ERROR "CHAINSIM_TEST_KILL=partial: the run was not killed")
endif()
names(${dir} now)
if(NOT now STREQUAL before)
  message(FATAL_ERROR "killed half-way, DIR changed:\n  was ${before}\n  now ${now}")
endif()
# (The earlier dead run's folder went when this run began.)
file(GLOB partial ${OUT}/.set.chainsim-*/.chainsim-partial)
list(LENGTH partial n)
if(NOT n EQUAL 1 OR EXISTS ${OUT}/.set.chainsim-${dead})
  message(FATAL_ERROR "expected the killed run's staging folder alone beside DIR: ${partial}")
endif()

# 2. Killed before the swap: DIR as it was; the partial folder gone.
run(2 ${dir} before-swap)
if(rc EQUAL 0)
  message(FATAL_ERROR "CHAINSIM_TEST_KILL=before-swap: the run was not killed")
endif()
names(${dir} now)
if(NOT now STREQUAL before)
  message(FATAL_ERROR "killed before the swap, DIR changed:\n  was ${before}\n  now ${now}")
endif()
foreach(f results.json timeseries.csv server.csv answers.csv chains.png topology.svg bandwidth.png)
  same(${dir}/${f} ${OUT}/ref1/${f} "killed before the swap")
endforeach()
file(GLOB partial ${OUT}/.set.chainsim-*/.chainsim-partial)
if(partial)
  message(FATAL_ERROR "the dead runs' partial staging folders were not removed: ${partial}")
endif()

# 3. Killed after the swap: DIR holds the whole new set, nothing of A.
run(2 ${dir} after-swap)
if(rc EQUAL 0)
  message(FATAL_ERROR "CHAINSIM_TEST_KILL=after-swap: the run was not killed")
endif()
file(STRINGS ${dir}/.chainsim-manifest listed REGEX "^[^#]")
if(NOT listed STREQUAL "answers.csv;bandwidth.png;chains.png;results.json;server.csv;timeseries.csv;topology.svg")
  message(FATAL_ERROR "killed after the swap: manifest lists '${listed}'")
endif()
foreach(f IN LISTS listed)
  same(${dir}/${f} ${OUT}/ref2/${f} "killed after the swap")
endforeach()
if(NOT EXISTS ${dir}/notes.txt)
  message(FATAL_ERROR "killed after the swap: the user's notes.txt is not in DIR")
endif()

# 4. A normal run: its set, the user's files, nothing else.
run(3 ${dir})
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "run 3: exit ${rc}\n${err}")
endif()
names(${dir} now)
set(want ".chainsim-manifest .hidden answers.csv bandwidth.png chains.png mine notes.txt results.json server.csv timeseries.csv topology.svg")
if(NOT now STREQUAL want)
  message(FATAL_ERROR "after the recovery run DIR holds\n  ${now}\nexpected\n  ${want}")
endif()
same(${dir}/results.json ${OUT}/ref3/results.json "run 3")
same(${dir}/timeseries.csv ${OUT}/ref3/timeseries.csv "run 3")
file(READ ${dir}/notes.txt t1)
file(READ ${dir}/.hidden t2)
file(READ ${dir}/mine/kept.txt t3)
if(NOT t1 STREQUAL "the user's own notes\n" OR NOT t2 STREQUAL "the user's hidden file\n"
   OR NOT t3 STREQUAL "in the user's folder\n")
  message(FATAL_ERROR "the user's files changed")
endif()
names(${OUT} beside)
if(NOT beside STREQUAL "ref1 ref2 ref3 set")
  message(FATAL_ERROR "left beside DIR: ${beside}")
endif()

# 5. From inside DIR, without figures: the file-by-file replacement, the
# figures of run 3 deleted.
execute_process(COMMAND stat -c %i ${dir} OUTPUT_VARIABLE inode_before)
execute_process(COMMAND ${CHAINSIM} run --seed 1 --out . ${small} --no-figures
                WORKING_DIRECTORY ${dir} RESULT_VARIABLE rc ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "--out . from inside DIR: exit ${rc}\n${err}")
endif()
execute_process(COMMAND stat -c %i ${dir} OUTPUT_VARIABLE inode_after)
if(NOT inode_before STREQUAL inode_after)
  message(FATAL_ERROR "--out . from inside DIR: DIR was swapped for another folder")
endif()
names(${dir} now)
set(want ".chainsim-manifest .hidden answers.csv mine notes.txt results.json server.csv timeseries.csv")
if(NOT now STREQUAL want)
  message(FATAL_ERROR "--out . from inside DIR holds\n  ${now}\nexpected\n  ${want}")
endif()
file(STRINGS ${dir}/.chainsim-manifest listed REGEX "^[^#]")
foreach(f IN LISTS listed)
  same(${dir}/${f} ${OUT}/ref1/${f} "--out . from inside DIR")
endforeach()
names(${OUT} beside)
if(NOT beside STREQUAL "ref1 ref2 ref3 set")
  message(FATAL_ERROR "left beside DIR: ${beside}")
endif()
