# libchainsim: the objects of sim/, models/, viz/ and app/ as one library,
# shared (libchainsim.so.SOVERSION, what embedders link) and static
# (libchainsim.a, what the chainsim program, the tests and `pkg-config
# --static` link).  Both are built from the same position-independent objects.

# The public headers, installed in include/chainsim/: the build, run,
# observation and results APIs and the kernel headers they include.  Each
# must compile alone (the ctest installed_headers_compile).  The one list.
set(CHAINSIM_PUBLIC_HEADERS
  sim/simtime.h sim/rng.h sim/sim.h sim/net.h sim/conn.h sim/firewall.h sim/stats.h
  models/classes.h models/world-observe.h models/world-build.h models/world.h models/builder.h models/hist.h)

# The ABI version (the library's SONAME is libchainsim.so.${CHAINSIM_SOVERSION}):
# bumped on any incompatible change of a public header while the version is 0.x.
set(CHAINSIM_SOVERSION 0)

# What the objects need at link time (the static library passes these on;
# the shared one links them itself and passes on GLib and libm alone, which
# the public headers use: GLib's types, ceil in simtime.h).
set(CHAINSIM_PRIVATE_LIBS PkgConfig::CAIRO PkgConfig::LUA PkgConfig::JSONGLIB)
if(CHAINSIM_MPI)
  list(APPEND CHAINSIM_PRIVATE_LIBS MPI::MPI_C)
endif()

set(CHAINSIM_OBJECTS)
foreach(part cs_kernel chainsim_models chainsim_viz chainsim_app)
  get_target_property(type ${part} TYPE)
  if(type STREQUAL "OBJECT_LIBRARY")
    list(APPEND CHAINSIM_OBJECTS $<TARGET_OBJECTS:${part}>)
  endif()
endforeach()

# In the build tree, the library's users (the program, tests, benchmarks) see
# every folder's headers, private ones included; installed users see
# include/ (#include <chainsim/world.h>).
set(CHAINSIM_BUILD_INCLUDES ${PROJECT_SOURCE_DIR}/sim ${PROJECT_SOURCE_DIR}/models
    ${PROJECT_SOURCE_DIR}/viz ${PROJECT_SOURCE_DIR}/app ${PROJECT_BINARY_DIR}/app
    ${PROJECT_BINARY_DIR}/include)
# The public headers as installed users see them (#include <chainsim/builder.h>),
# for in-tree users such as examples/embed.c: copies, refreshed when one changes.
foreach(h ${CHAINSIM_PUBLIC_HEADERS})
  get_filename_component(n ${h} NAME)
  configure_file(${PROJECT_SOURCE_DIR}/${h} ${PROJECT_BINARY_DIR}/include/chainsim/${n} COPYONLY)
endforeach()

add_library(libchainsim SHARED ${CHAINSIM_OBJECTS})
add_library(libchainsim_static STATIC ${CHAINSIM_OBJECTS})
foreach(lib libchainsim libchainsim_static)
  set_target_properties(${lib} PROPERTIES OUTPUT_NAME chainsim
                        ARCHIVE_OUTPUT_DIRECTORY ${PROJECT_BINARY_DIR}/lib
                        LIBRARY_OUTPUT_DIRECTORY ${PROJECT_BINARY_DIR}/lib)
  target_include_directories(${lib} PUBLIC "$<BUILD_INTERFACE:${CHAINSIM_BUILD_INCLUDES}>"
                             $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>)
endforeach()
set_target_properties(libchainsim PROPERTIES EXPORT_NAME chainsim
                      VERSION ${PROJECT_VERSION} SOVERSION ${CHAINSIM_SOVERSION})
target_link_libraries(libchainsim PUBLIC $<BUILD_INTERFACE:PkgConfig::GLIB> $<INSTALL_INTERFACE:chainsim::glib> m
                      PRIVATE ${CHAINSIM_PRIVATE_LIBS})
set_target_properties(libchainsim_static PROPERTIES EXPORT_NAME chainsim_static)
target_link_libraries(libchainsim_static PUBLIC PkgConfig::GLIB m ${CHAINSIM_PRIVATE_LIBS})
