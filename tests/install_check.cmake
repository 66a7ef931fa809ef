# The installed tree, as a user sees it (tests/installed.cmake runs one STEP
# per ctest):
#   install       cmake --install BUILD --prefix PREFIX (a fresh tree), and
#                 every file docs/library.md promises is there
#   headers       each installed header compiles alone in a C file, with
#                 the include folder and GLib's flags only
#   pkgconfig     examples/embed.c built with cc and `pkg-config --cflags
#                 --libs chainsim`, run, its output checked
#   find_package  the same built by tests/embed (find_package(chainsim))
# Variables: STEP BUILD PREFIX WORK CC SOURCE_DIR GENERATOR EXTRA_FLAGS
# (';'-separated compiler and linker flags, the sanitizers of an ASan build).
set(ENV{PKG_CONFIG_PATH} ${PREFIX}/lib/pkgconfig)

function(run)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    string(REPLACE ";" " " cmd "${ARGN}")
    message(FATAL_ERROR "'${cmd}' exited ${rc}:\n${out}${err}")
  endif()
  set(out "${out}" PARENT_SCOPE)
endfunction()

function(pkg_flags var)
  run(pkg-config ${ARGN} chainsim)
  string(STRIP "${out}" out)
  separate_arguments(flags UNIX_COMMAND "${out}")
  set(${var} ${flags} PARENT_SCOPE)
endfunction()

# The embedding example's output, exact (the model's figures for seed 1).
function(check_embed exe)
  run(${exe})
  file(READ ${SOURCE_DIR}/examples/embed.expected expected)
  if(NOT out STREQUAL expected)
    message(FATAL_ERROR "${exe} printed:\n${out}\nexpected (examples/embed.expected):\n${expected}")
  endif()
  message(STATUS "${exe}:\n${out}")
endfunction()

if(STEP STREQUAL "install")
  file(REMOVE_RECURSE ${PREFIX})
  run(${CMAKE_COMMAND} --install ${BUILD} --prefix ${PREFIX})
  foreach(f bin/chainsim lib/libchainsim.so lib/libchainsim.a include/chainsim/world.h
            lib/pkgconfig/chainsim.pc lib/cmake/chainsim/chainsimConfig.cmake
            lib/cmake/chainsim/chainsimConfigVersion.cmake lib/cmake/chainsim/chainsimTargets.cmake
            share/chainsim/lib/topo.lua share/chainsim/scenarios/enterprise.lua
            share/man/man1/chainsim.1)
    if(NOT EXISTS ${PREFIX}/${f})
      message(FATAL_ERROR "cmake --install put no ${f} in ${PREFIX}")
    endif()
  endforeach()
  # The shared library carries its ABI version.
  run(readelf -d ${PREFIX}/lib/libchainsim.so)
  if(NOT out MATCHES "Library soname: \\[libchainsim\\.so\\.[0-9]+\\]")
    message(FATAL_ERROR "libchainsim.so has no versioned SONAME:\n${out}")
  endif()
  # The installed program runs on its own, and its man page has every command.
  run(${PREFIX}/bin/chainsim --version)
  file(READ ${PREFIX}/share/man/man1/chainsim.1 page)
  foreach(want "^\\.TH CHAINSIM 1 " "\n\\.SS \"chainsim run\"\n" "\n\\.SS \"chainsim diagram\"\n"
               "\n\\.SS \"chainsim study\"\n" "\\\\-\\\\-set")
    if(NOT page MATCHES "${want}")
      message(FATAL_ERROR "chainsim.1 lacks '${want}'")
    endif()
  endforeach()
elseif(STEP STREQUAL "headers")
  file(GLOB headers ${PREFIX}/include/chainsim/*.h)
  if(NOT headers)
    message(FATAL_ERROR "no headers in ${PREFIX}/include/chainsim")
  endif()
  # Only the include folder and GLib (what chainsim::chainsim gives): a
  # header that needs more is not self-contained.
  run(pkg-config --cflags glib-2.0)
  string(STRIP "${out}" out)
  separate_arguments(cflags UNIX_COMMAND "-I${PREFIX}/include ${out}")
  file(MAKE_DIRECTORY ${WORK})
  foreach(h ${headers})
    get_filename_component(name ${h} NAME)
    string(REPLACE "." "_" stem "${name}")
    # Twice: it must also guard itself.
    file(WRITE ${WORK}/${stem}.c "#include <chainsim/${name}>\n#include <chainsim/${name}>\n")
    run(${CC} -std=c11 -Wall -Wextra -Werror -Wno-unused-parameter -Wstrict-prototypes ${cflags}
        -c ${WORK}/${stem}.c -o ${WORK}/${stem}.o)
  endforeach()
elseif(STEP STREQUAL "pkgconfig")
  file(MAKE_DIRECTORY ${WORK})
  pkg_flags(cflags --cflags)
  pkg_flags(libs --libs)
  run(${CC} -std=c11 -Wall -Wextra -Werror ${EXTRA_FLAGS} ${cflags} ${SOURCE_DIR}/examples/embed.c
      -o ${WORK}/embed ${libs} -Wl,-rpath,${PREFIX}/lib)
  check_embed(${WORK}/embed)
elseif(STEP STREQUAL "find_package")
  file(REMOVE_RECURSE ${WORK})
  string(REPLACE ";" " " flags "${EXTRA_FLAGS}")
  run(${CMAKE_COMMAND} -S ${SOURCE_DIR}/tests/embed -B ${WORK} -G ${GENERATOR}
      -DCMAKE_C_COMPILER=${CC} -DCMAKE_PREFIX_PATH=${PREFIX} -DCMAKE_BUILD_TYPE=RelWithDebInfo
      -DEMBED_SOURCE=${SOURCE_DIR}/examples/embed.c -DCMAKE_C_FLAGS=${flags})
  run(${CMAKE_COMMAND} --build ${WORK})
  check_embed(${WORK}/embed)
else()
  message(FATAL_ERROR "install_check.cmake: unknown STEP '${STEP}'")
endif()
