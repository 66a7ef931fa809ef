# Fails when sim/ or models/ call a wall clock or a global RNG: results must
# depend only on the scenario and the seed.
file(GLOB_RECURSE files ${ROOT}/sim/*.c ${ROOT}/sim/*.h ${ROOT}/models/*.c ${ROOT}/models/*.h)
set(bad "")
foreach(f ${files})
  file(STRINGS ${f} lines)
  set(n 0)
  foreach(line IN LISTS lines)
    math(EXPR n "${n}+1")
    # Comment lines (prose) are not code.
    if(line MATCHES "^[ \t]*(\\*|/\\*|//)")
      continue()
    endif()
    if(line MATCHES "(^|[^A-Za-z0-9_])(time|clock_gettime|gettimeofday|rand|srand|random)[ \t]*\\(" OR
       line MATCHES "g_get_monotonic_time|g_get_real_time|g_random_")
      list(APPEND bad "${f}:${n}: ${line}")
    endif()
  endforeach()
endforeach()
if(bad)
  string(REPLACE ";" "\n" msg "${bad}")
  message(FATAL_ERROR "wall clock or global RNG in sim/ or models/:\n${msg}")
endif()
message(STATUS "no wall clock or global RNG in sim/ or models/")
