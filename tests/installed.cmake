# The installed tree (tests/install_check.cmake): install_tree installs into
# build/install-test, then the headers, and examples/embed.c built against
# the installed tree with pkg-config and with find_package, and run.
set(_prefix ${PROJECT_BINARY_DIR}/install-test)
set(_extra)
if(CHAINSIM_SANITIZE)
  set(_extra -fsanitize=address,undefined -fno-omit-frame-pointer)
endif()
string(REPLACE ";" "\\;" _extra "${_extra}")
set(_check -DBUILD=${PROJECT_BINARY_DIR} -DPREFIX=${_prefix} -DCC=${CMAKE_C_COMPILER}
    -DSOURCE_DIR=${PROJECT_SOURCE_DIR} -DGENERATOR=${CMAKE_GENERATOR} -DEXTRA_FLAGS=${_extra})
add_test(NAME install_tree COMMAND ${CMAKE_COMMAND} ${_check} -DSTEP=install
         -P ${CMAKE_CURRENT_SOURCE_DIR}/install_check.cmake)
set_tests_properties(install_tree PROPERTIES FIXTURES_SETUP chainsim_installed)
foreach(step headers pkgconfig find_package)
  set(name installed_${step})
  add_test(NAME ${name} COMMAND ${CMAKE_COMMAND} ${_check} -DSTEP=${step}
           -DWORK=${PROJECT_BINARY_DIR}/install-test-${step} -P ${CMAKE_CURRENT_SOURCE_DIR}/install_check.cmake)
  set_tests_properties(${name} PROPERTIES FIXTURES_REQUIRED chainsim_installed LABELS install)
endforeach()
set_tests_properties(install_tree PROPERTIES LABELS install)
