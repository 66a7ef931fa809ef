# chainsim study (included by tests/CMakeLists.txt): tests/study.cmake in
# each MODE on tests/study/small.lua.  The MPI test runs mpirun as root
# (OMPI_ALLOW_RUN_AS_ROOT) with --oversubscribe (3 ranks on 2 cores); without
# MPI it reports itself skipped.
if(NOT TARGET chainsim)
  return()
endif()
set(STUDY_MPIEXEC "")
if(CHAINSIM_MPI AND MPIEXEC_EXECUTABLE)
  set(STUDY_MPIEXEC ${MPIEXEC_EXECUTABLE})
endif()
foreach(mode jobs mpi resume failures)
  add_test(NAME study.${mode}
           COMMAND ${CMAKE_COMMAND} -DCHAINSIM=$<TARGET_FILE:chainsim> -DMODE=${mode}
                   -DSCENARIO=${CMAKE_CURRENT_SOURCE_DIR}/study/small.lua -DMPIEXEC=${STUDY_MPIEXEC}
                   -DOUT=${CMAKE_CURRENT_BINARY_DIR}/study-out/${mode}
                   -P ${CMAKE_CURRENT_SOURCE_DIR}/study.cmake)
  set_tests_properties(study.${mode} PROPERTIES LABELS study TIMEOUT 300
                       ENVIRONMENT "OMPI_ALLOW_RUN_AS_ROOT=1;OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1"
                       SKIP_REGULAR_EXPRESSION "SKIPPED: chainsim was built without MPI")
endforeach()
# Open MPI leaves its own allocations (of plugins it has unloaded, so they
# cannot be told apart by a suppression) at MPI_Finalize: under the
# sanitizers the MPI test checks addresses and undefined behaviour but not
# leaks (study.jobs checks the study's own leaks, the same code but MPI).
if(CHAINSIM_SANITIZE)
  set_property(TEST study.mpi APPEND PROPERTY ENVIRONMENT
               "ASAN_OPTIONS=detect_leaks=0;UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1")
endif()

# The study's plot among the figure tests (tests/figures.cmake MODE=study).
add_test(NAME figures.study
         COMMAND ${CMAKE_COMMAND} -DCHAINSIM=$<TARGET_FILE:chainsim> -DOUT=${CMAKE_CURRENT_BINARY_DIR}/study-out/figures
                 -DSCENARIO=${CMAKE_CURRENT_SOURCE_DIR}/study/small.lua -DMODE=study
                 -P ${CMAKE_CURRENT_SOURCE_DIR}/figures.cmake)
set_tests_properties(figures.study PROPERTIES LABELS "study;scenario" TIMEOUT 300)
