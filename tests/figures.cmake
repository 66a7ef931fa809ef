# MODE=run: `chainsim run SCENARIO` writes results.json and the default
# figures (topology.svg, chains.png, bandwidth.png) and leaves no temporary
# file; --no-figures writes none of them; PLOTS (a scenario calling sim:plot
# before, during and after sim:run) writes exactly the figures it asked for,
# the default ones it did not replace, and nothing hidden.
# MODE=diagram: `chainsim diagram SCENARIO` in every format: files with their
# format's signature, Mermaid and DOT on stdout.
# MODE=study: `chainsim study SCENARIO --plot` in every format (the study runs
# once; the later ones find its runs done); runs draw no figures unless
# --figures.
file(REMOVE_RECURSE ${OUT})
file(MAKE_DIRECTORY ${OUT})

function(chainsim)
  execute_process(COMMAND ${CHAINSIM} ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out
                  ERROR_VARIABLE err TIMEOUT 250)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "chainsim ${ARGN}: exit ${rc}\n${out}\n${err}")
  endif()
  set(out "${out}" PARENT_SCOPE)
endfunction()

# Fails unless FILE starts with the bytes of HEX (its format's signature).
function(signature file hex)
  if(NOT EXISTS ${file})
    message(FATAL_ERROR "missing ${file}")
  endif()
  string(LENGTH "${hex}" n)
  math(EXPR n "${n} / 2")
  file(READ ${file} head LIMIT ${n} HEX)
  if(NOT head STREQUAL hex)
    message(FATAL_ERROR "${file}: starts with ${head}, expected ${hex}")
  endif()
endfunction()

set(PNG 89504e470d0a1a0a)
set(PDF 255044462d)     # %PDF-
set(SVG 3c3f786d6c)     # <?xml

# No hidden file but the output set's manifest, and no staging folder beside.
function(no_leftovers dir)
  get_filename_component(name ${dir} NAME)
  file(GLOB hidden ${dir}/.* ${dir}/../.${name}.*)
  list(REMOVE_ITEM hidden ${dir}/.chainsim-manifest)
  if(hidden)
    message(FATAL_ERROR "temporary files left in ${dir}: ${hidden}")
  endif()
endfunction()

if(MODE STREQUAL "run")
  chainsim(run ${SCENARIO} --out ${OUT}/default --quiet)
  signature(${OUT}/default/topology.svg ${SVG})
  signature(${OUT}/default/chains.png ${PNG})
  signature(${OUT}/default/bandwidth.png ${PNG})
  no_leftovers(${OUT}/default)

  chainsim(run ${SCENARIO} --out ${OUT}/none --quiet --no-figures)
  file(GLOB figures ${OUT}/none/*.png ${OUT}/none/*.svg ${OUT}/none/*.pdf)
  if(figures OR NOT EXISTS ${OUT}/none/results.json)
    message(FATAL_ERROR "--no-figures: expected results.json and no figure, got ${figures}")
  endif()

  chainsim(run ${PLOTS} --out ${OUT}/plots --quiet)
  foreach(f chains-5m.png topology.svg answers.pdf load.svg branch.png net.mmd net.dot bandwidth.png chains.png)
    if(NOT EXISTS ${OUT}/plots/${f})
      message(FATAL_ERROR "sim:plot: missing ${f}")
    endif()
  endforeach()
  signature(${OUT}/plots/chains-5m.png ${PNG})
  signature(${OUT}/plots/answers.pdf ${PDF})
  signature(${OUT}/plots/topology.svg ${SVG})
  file(READ ${OUT}/plots/net.mmd mmd)
  if(NOT mmd MATCHES "^flowchart")
    message(FATAL_ERROR "net.mmd is not a Mermaid flowchart")
  endif()
  no_leftovers(${OUT}/plots)
elseif(MODE STREQUAL "diagram")
  chainsim(diagram ${SCENARIO} -o ${OUT}/net.svg)
  signature(${OUT}/net.svg ${SVG})
  chainsim(diagram ${SCENARIO} -o ${OUT}/net.png)
  signature(${OUT}/net.png ${PNG})
  chainsim(diagram ${SCENARIO} --format pdf -o ${OUT}/net.pdf)
  signature(${OUT}/net.pdf ${PDF})
  chainsim(diagram ${SCENARIO} --format mermaid)
  if(NOT out MATCHES "^flowchart" OR NOT out MATCHES "internet")
    message(FATAL_ERROR "diagram --format mermaid: unexpected output\n${out}")
  endif()
  chainsim(diagram ${SCENARIO} --format dot)
  if(NOT out MATCHES "^digraph" OR NOT out MATCHES "dmz")
    message(FATAL_ERROR "diagram --format dot: unexpected output\n${out}")
  endif()
  chainsim(diagram ${SCENARIO} -o ${OUT}/net.dot)
  file(READ ${OUT}/net.dot dot)
  if(NOT dot MATCHES "^digraph")
    message(FATAL_ERROR "net.dot is not a DOT digraph")
  endif()
  chainsim(diagram --set endpoints=200 --set duration=2m -o ${OUT}/builtin.svg)
  signature(${OUT}/builtin.svg ${SVG})
  no_leftovers(${OUT})
elseif(MODE STREQUAL "study")
  set(study study ${SCENARIO} --grid clients=10,20 --grid bw=5Mbps,20Mbps -r 2 -j 2 --quiet --out ${OUT}/s
      --plot "registration.count ~ clients | bw")
  chainsim(${study})
  signature(${OUT}/s/plot-registration.count-vs-clients-by-bw.png ${PNG})
  chainsim(${study} --plot-format svg)
  signature(${OUT}/s/plot-registration.count-vs-clients-by-bw.svg ${SVG})
  chainsim(${study} --plot-format pdf)
  signature(${OUT}/s/plot-registration.count-vs-clients-by-bw.pdf ${PDF})
  no_leftovers(${OUT}/s)
  file(GLOB_RECURSE figures ${OUT}/s/*/*.png ${OUT}/s/*/*.svg)
  if(figures OR NOT EXISTS "${OUT}/s/clients=10,bw=5Mbps/1/results.json")
    message(FATAL_ERROR "study runs: expected results.json and no figure, got ${figures}")
  endif()
  chainsim(study ${SCENARIO} -r 1 --quiet --figures --out ${OUT}/f)
  signature(${OUT}/f/base/1/chains.png ${PNG})
else()
  message(FATAL_ERROR "MODE must be run, diagram or study")
endif()
