# Lua scenarios through the chainsim program (included by tests/CMakeLists.txt).
#
#   scenario.NAME   tests/scenarios/NAME.lua must run with exit status 0: every
#                   sim:expect inside held.
#   bad.NAME        tests/bad/NAME.lua must fail with exit status 2; its first
#                   line "-- expect: NAME.lua:LINE: message" is what stderr must
#                   contain, and nothing may be written to --out.
#   cli.NAME        a bad command line: exit status 2, a message, no output.
#   determinism     the same scenario and seed give byte-identical outputs; a
#                   different seed gives different ones.
#   determinism_sandbox  scenario code using pairs order, tostring({}) and
#                   table.sort ties gives byte-identical results.json twice.
#   figures.*       the default figures of a run and of sim:plot (and none with
#                   --no-figures); chainsim diagram in every format.
#   baseline        --baseline against itself holds; against another seed with
#                   --tolerance 0% moves and exits 1.
if(NOT TARGET chainsim)
  return()
endif()

set(SCENARIO_OUT ${CMAKE_CURRENT_BINARY_DIR}/scenario-out)
# Bad scenarios stop runaway loops sooner than the default limit (ASan builds
# run the interpreter several times slower).
set(BAD_INSTRUCTIONS 100000000)

file(GLOB SCENARIO_FILES CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/scenarios/*.lua)
foreach(f ${SCENARIO_FILES})
  get_filename_component(name ${f} NAME_WE)
  add_test(NAME scenario.${name}
           COMMAND chainsim run ${f} --out ${SCENARIO_OUT}/${name} --quiet)
  set_tests_properties(scenario.${name} PROPERTIES LABELS scenario TIMEOUT 300)
endforeach()

# Issue 21's branch study at the other bandwidths (the file alone runs 10 Mbps).
foreach(bw 20Mbps 50Mbps 100Mbps)
  add_test(NAME scenario.branch_wan_share.${bw}
           COMMAND chainsim run ${CMAKE_CURRENT_SOURCE_DIR}/scenarios/branch_wan_share.lua
                   --set bandwidth=${bw} --out ${SCENARIO_OUT}/branch_wan_share-${bw} --quiet)
  set_tests_properties(scenario.branch_wan_share.${bw} PROPERTIES LABELS scenario TIMEOUT 300)
endforeach()

# The Direct Connect proxy's other port (the file alone drops 17487).
add_test(NAME scenario.dc_zone_proxy_port.17488
         COMMAND chainsim run ${CMAKE_CURRENT_SOURCE_DIR}/scenarios/dc_zone_proxy_port.lua
                 --set port=17488 --out ${SCENARIO_OUT}/dc_zone_proxy_port-17488 --quiet)
set_tests_properties(scenario.dc_zone_proxy_port.17488 PROPERTIES LABELS scenario TIMEOUT 300)

file(GLOB BAD_FILES CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/bad/*.lua)
foreach(f ${BAD_FILES})
  get_filename_component(name ${f} NAME_WE)
  add_test(NAME bad.${name}
           COMMAND ${CMAKE_COMMAND} -DCHAINSIM=$<TARGET_FILE:chainsim> -DSCENARIO=${f}
                   -DOUT=${SCENARIO_OUT}/bad-${name} -DINSTRUCTIONS=${BAD_INSTRUCTIONS}
                   -P ${CMAKE_CURRENT_SOURCE_DIR}/expect_usage_error.cmake)
  set_tests_properties(bad.${name} PROPERTIES LABELS bad TIMEOUT 120)
endforeach()

# A baseline of 100,000 nested '[' (the JSON parser recursed until the stack
# overflowed).
string(REPEAT "[" 100000 deep)
file(WRITE ${CMAKE_CURRENT_BINARY_DIR}/deep-baseline.json "${deep}")

# Bad command lines: name, expected message, arguments separated by '|'.
set(CLI_CASES
  "out_empty|--out: expected a folder name, got an empty string|run|--out="
  "out_not_folder|--out: 'CTestTestfile.cmake' exists and is not a folder|run|--out|CTestTestfile.cmake"
  "trace_empty|--trace: expected a file name, got an empty string|run|--trace="
  "trace_folder|--trace: cannot write '.': it is a folder|run|--trace|."
  "diagram_unwritable|-o: cannot write '/proc/1/x.svg'|diagram|-o|/proc/1/x.svg"
  "baseline_deep|baseline 'deep-baseline.json' nests arrays or objects deeper than 64 levels|run|--baseline|deep-baseline.json"
  "baseline_endless|cannot read baseline '/dev/zero': longer than 16 MiB|run|--baseline|/dev/zero"
  "baseline_infinite|registration.count is not a finite number|run|--baseline|${CMAKE_CURRENT_SOURCE_DIR}/cli/baseline_infinite.json"
  "baseline_folder|cannot read baseline '.': it is a folder|run|--baseline|."
  "no_command|expected a command|"
  "unknown_command|unknown command 'frobnicate'|frobnicate"
  "unknown_option|Unknown option --bogus|run|--bogus"
  "seed_not_a_number|--seed: expected an integer from 0 to|run|--seed|abc"
  "seed_negative|--seed: expected an integer from 0 to|run|--seed=-5"
  "set_without_value|--set: expected KEY=VALUE|run|--set|endpoints"
  "set_bad_key|--set: expected KEY=VALUE|run|--set|1x=2"
  "set_twice|--set endpoints: given twice (\"300\" and \"400\")|run|--set|endpoints=300|--set|endpoints=400"
  "builtin_set_unread|chainsim: builtin:enterprise.lua: --set bww: the scenario never reads this parameter (the parameters it reads: bench, bucket, duration, endpoints, flow_groups, walk)|run|--set|bww=50Mbps"
  "diagram_set_unread|--set bww: the scenario never reads this parameter|diagram|--format|mermaid|--set|bww=50Mbps"
  "two_scenarios|expected at most one scenario|run|a.lua|b.lua"
  "missing_scenario|cannot read scenario 'no-such-scenario.lua': no such file|run|no-such-scenario.lua"
  "tolerance_without_baseline|--tolerance needs --baseline|run|--tolerance|5%"
  "missing_baseline|cannot read baseline 'no-such-results.json'|run|--baseline|no-such-results.json"
  "max_instructions_zero|--max-lua-instructions: expected a positive integer|run|--max-lua-instructions|0"
  "max_seconds_zero|--max-scenario-seconds: expected a number of seconds above 0|run|--max-scenario-seconds|0"
  "max_seconds_text|--max-scenario-seconds: expected a number of seconds above 0|run|--max-scenario-seconds|1s"
  "max_seconds_nan|--max-scenario-seconds: expected a number of seconds above 0|run|--max-scenario-seconds|nan"
  "max_seconds_huge|--max-scenario-seconds: expected a number of seconds above 0|diagram|--max-scenario-seconds|1e300"
  "max_memory_tiny|--max-memory: expected a size of at least 1MiB like \"8GiB\", got \"1KB\"|run|--max-memory|1KB"
  "max_memory_not_a_size|--max-memory: expected a size of at least 1MiB like \"8GiB\", got \"lots\"|run|--max-memory=lots"
  "builtin_bad_endpoints|--set endpoints: expected an integer from 100 to 1000000, got \"ten\"|run|--set|endpoints=ten"
  "builtin_bad_duration|builtin:enterprise.lua:|run|--set|duration=10 minutes"
  "builtin_bad_flow_groups|--set flow_groups: expected an integer from 0 to 1073741824, got \"many\"|run|--set|flow_groups=many"
  "diagram_bad_format|--format: expected svg, png, pdf, mermaid or dot, got \"gif\"|diagram|--format|gif"
  "diagram_bad_output|-o: expected a file ending in .svg, .png, .pdf, .mmd or .dot, got 'net.gif'|diagram|-o|net.gif"
  "diagram_format_mismatch|-o 'net.svg' does not match --format png|diagram|--format|png|-o|net.svg"
  "diagram_missing_scenario|cannot read scenario 'no-such-scenario.lua': no such file|diagram|no-such-scenario.lua"
  "diagram_missing_folder|-o: cannot write 'no-such-folder/net.svg': No such file or directory|diagram|-o|no-such-folder/net.svg"
  "study_grid_no_value|--grid: expected KEY=V1,V2,... or KEY=A:B:xF or KEY=A:B:+S|study|--grid|bw"
  "study_grid_empty|--grid bw: empty value|study|--grid|bw="
  "study_grid_value_twice|--grid bw: value \"1\" given twice|study|--grid|bw=1,2,1"
  "study_grid_slash|--grid f: value \"a/b\" holds '/'|study|--grid|f=a/b"
  "study_grid_key_twice|--grid bw: the key is swept twice|study|--grid|bw=1,2|--grid|bw=3"
  "study_grid_factor|--grid n: the factor must be above 1, got \"x1\"|study|--grid|n=1:10:x1"
  "study_grid_step|--grid n: the step must be above 0, got \"+0\"|study|--grid|n=1:10:+0"
  "study_grid_reversed|--grid n: range start 10 is above its end 1|study|--grid|n=10:1:+1"
  "study_grid_units|--grid bw: range ends have different units|study|--grid|bw=1Mbps:1Gbps:x10"
  "study_grid_not_number|--grid n: range ends must be numbers|study|--grid|n=a:b:+1"
  "study_set_swept|--set bw: the key is also swept by --grid|study|--grid|bw=1,2|--set|bw=3"
  "study_plot_not_swept|--plot \"m ~ c\": 'c' is not a key of --grid|study|--grid|a=1,2|--plot|m ~ c"
  "study_plot_other_axis|--plot \"m ~ a\": the grid also sweeps b (2 values)|study|--grid|a=1,2|--grid|b=1,2|--plot|m ~ a"
  "study_plot_syntax|--plot: expected 'METRIC ~ KEY'|study|--grid|a=1,2|--plot|m"
  "study_plot_format|--plot-format: expected png, svg or pdf, got \"gif\"|study|--plot-format|gif"
  "study_replications|--replications: expected an integer from 1 to 100000, got \"0\"|study|--replications|0"
  "study_jobs|-j: expected an integer from 1 to 1024, got \"many\"|study|-j|many"
  "study_long_values|a point's folder name (KEY=VALUE,... of every swept key) would take 256 bytes|study|--grid|a=xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx,b|--grid|c=1,2"
  "study_missing_scenario|cannot read scenario 'no-such-scenario.lua': no such file|study|no-such-scenario.lua"
)
foreach(case ${CLI_CASES})
  string(FIND "${case}" "|" a)
  string(SUBSTRING "${case}" 0 ${a} name)
  math(EXPR a "${a} + 1")
  string(SUBSTRING "${case}" ${a} -1 rest)
  string(FIND "${rest}" "|" b)
  string(SUBSTRING "${rest}" 0 ${b} fragment)
  math(EXPR b "${b} + 1")
  string(SUBSTRING "${rest}" ${b} -1 args)
  add_test(NAME cli.${name}
           COMMAND ${CMAKE_COMMAND} -DCHAINSIM=$<TARGET_FILE:chainsim> "-DARGS=${args}"
                   "-DFRAGMENT=${fragment}" -DOUT=${SCENARIO_OUT}/cli-${name}
                   -P ${CMAKE_CURRENT_SOURCE_DIR}/expect_usage_error.cmake)
  set_tests_properties(cli.${name} PROPERTIES LABELS cli TIMEOUT 60
                       WORKING_DIRECTORY ${CMAKE_CURRENT_BINARY_DIR})
endforeach()

# The default instruction limit stops a runaway loop within about 2 s of CPU
# (the old default of 2e9 instructions took 12 s): no --max-lua-instructions
# here, and a CPU limit of 4 s that would name itself if the instruction
# limit came later (CPU time, not wall time: a loaded machine changes
# nothing).
add_test(NAME cli.default_instruction_limit
         COMMAND ${CMAKE_COMMAND} -DCHAINSIM=$<TARGET_FILE:chainsim>
                 "-DARGS=run|${CMAKE_CURRENT_SOURCE_DIR}/bad/infinite_loop.lua|--quiet|--max-scenario-seconds|4"
                 "-DFRAGMENT=infinite_loop.lua:5: scenario exceeded the instruction limit"
                 -DOUT=${SCENARIO_OUT}/cli-default_instruction_limit
                 -P ${CMAKE_CURRENT_SOURCE_DIR}/expect_usage_error.cmake)
set_tests_properties(cli.default_instruction_limit PROPERTIES LABELS cli TIMEOUT 120)

# The CPU limit counts the scenario's own code, not the simulation: 20,000
# endpoints build in ~0.1 s and simulate 10 minutes in ~2 s of CPU; a 1 s
# limit must let the run finish.
add_test(NAME cli.cpu_limit_excludes_simulation
         COMMAND chainsim run --set endpoints=20000 --max-scenario-seconds 1 --no-figures --quiet
                 --out ${SCENARIO_OUT}/cpu_limit_excludes_simulation)
set_tests_properties(cli.cpu_limit_excludes_simulation PROPERTIES LABELS cli TIMEOUT 300)

add_test(NAME cli.help COMMAND chainsim --help)
add_test(NAME cli.run_help COMMAND chainsim run --help)
add_test(NAME cli.version COMMAND chainsim --version)
set_tests_properties(cli.version PROPERTIES PASS_REGULAR_EXPRESSION "^chainsim ${PROJECT_VERSION}")
set_tests_properties(cli.help cli.run_help cli.version PROPERTIES LABELS cli)

add_test(NAME determinism
         COMMAND ${CMAKE_COMMAND} -DCHAINSIM=$<TARGET_FILE:chainsim> -DOUT=${SCENARIO_OUT}/determinism
                 -DMODE=determinism -P ${CMAKE_CURRENT_SOURCE_DIR}/compare_runs.cmake)
add_test(NAME baseline
         COMMAND ${CMAKE_COMMAND} -DCHAINSIM=$<TARGET_FILE:chainsim> -DOUT=${SCENARIO_OUT}/baseline
                 -DMODE=baseline -P ${CMAKE_CURRENT_SOURCE_DIR}/compare_runs.cmake)
add_test(NAME determinism_sandbox
         COMMAND ${CMAKE_COMMAND} -DCHAINSIM=$<TARGET_FILE:chainsim> -DOUT=${SCENARIO_OUT}/determinism_sandbox
                 -DSCENARIO=${CMAKE_CURRENT_SOURCE_DIR}/determinism_sandbox.lua
                 -DMODE=sandbox -P ${CMAKE_CURRENT_SOURCE_DIR}/compare_runs.cmake)
set_tests_properties(determinism baseline determinism_sandbox PROPERTIES LABELS scenario TIMEOUT 300)

# Figures: chainsim run's default figures and sim:plot, chainsim diagram.
foreach(mode run diagram)
  add_test(NAME figures.${mode}
           COMMAND ${CMAKE_COMMAND} -DCHAINSIM=$<TARGET_FILE:chainsim> -DOUT=${SCENARIO_OUT}/figures-${mode}
                   -DSCENARIO=${CMAKE_CURRENT_SOURCE_DIR}/scenarios/zone_tunnel.lua
                   -DPLOTS=${CMAKE_CURRENT_SOURCE_DIR}/figures_plot.lua
                   -DMODE=${mode} -P ${CMAKE_CURRENT_SOURCE_DIR}/figures.cmake)
  set_tests_properties(figures.${mode} PROPERTIES LABELS scenario TIMEOUT 300)
endforeach()

add_test(NAME cli.out_folder
  COMMAND ${CMAKE_COMMAND} -DCHAINSIM=$<TARGET_FILE:chainsim> -DOUT=${SCENARIO_OUT}/out-folder
          -DBAD=${CMAKE_CURRENT_SOURCE_DIR}/bad/syntax_error.lua
          -P ${CMAKE_CURRENT_SOURCE_DIR}/outset.cmake)
set_tests_properties(cli.out_folder PROPERTIES LABELS cli TIMEOUT 300)

foreach(fmt mermaid dot)
  add_test(NAME cli.diagram_stdout_${fmt}
    COMMAND ${CMAKE_COMMAND} -DCHAINSIM=$<TARGET_FILE:chainsim> -DFORMAT=${fmt}
            -DSCENARIO=${CMAKE_CURRENT_SOURCE_DIR}/cli/printing.lua
            -P ${CMAKE_CURRENT_SOURCE_DIR}/diagram_stdout.cmake)
  set_tests_properties(cli.diagram_stdout_${fmt} PROPERTIES LABELS cli TIMEOUT 120)
endforeach()

add_test(NAME cli.trace
  COMMAND ${CMAKE_COMMAND} -DCHAINSIM=$<TARGET_FILE:chainsim>
          -DSCENARIO=${CMAKE_CURRENT_SOURCE_DIR}/scenarios/chain_one_subnet.lua
          -DBAD=${CMAKE_CURRENT_SOURCE_DIR}/bad/syntax_error.lua
          -DOUT=${CMAKE_CURRENT_BINARY_DIR}/trace-out -P ${CMAKE_CURRENT_SOURCE_DIR}/trace.cmake)
set_tests_properties(cli.trace PROPERTIES LABELS cli TIMEOUT 120)

# Self-describing runs (run.params, schema, hash, unread --set keys) and
# warnings, through the real command line.
foreach(mode params warnings readme)
  add_test(NAME selfdesc.${mode}
    COMMAND ${CMAKE_COMMAND} -DCHAINSIM=$<TARGET_FILE:chainsim> -DMODE=${mode}
            -DDIR=${CMAKE_CURRENT_SOURCE_DIR}/selfdesc -DOUT=${SCENARIO_OUT}/selfdesc-${mode}
            -DVERSION=${PROJECT_VERSION} -DDOCS=${PROJECT_SOURCE_DIR}/docs/results.md
            -DREADME=${PROJECT_SOURCE_DIR}/README.md
            -P ${CMAKE_CURRENT_SOURCE_DIR}/selfdesc.cmake)
  set_tests_properties(selfdesc.${mode} PROPERTIES LABELS cli TIMEOUT 300)
endforeach()
