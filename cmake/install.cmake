# cmake --install BUILD --prefix P: the program, the library (shared and
# static), the public headers, pkg-config and CMake package files, the Lua
# scenario library and example scenarios, and the man page.  docs/library.md
# describes the installed tree.
include(CMakePackageConfigHelpers)

install(TARGETS chainsim RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(TARGETS libchainsim EXPORT chainsimTargets
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
        INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(TARGETS libchainsim_static ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR})
list(TRANSFORM CHAINSIM_PUBLIC_HEADERS PREPEND ${PROJECT_SOURCE_DIR}/ OUTPUT_VARIABLE _headers)
install(FILES ${_headers} DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/chainsim)

# chainsim.pc finds its prefix from its own place (${pcfiledir}), so the tree
# works wherever --prefix puts it.
set(_pcdir ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
file(RELATIVE_PATH CHAINSIM_PC_TO_PREFIX /root/${_pcdir} /root)
string(REGEX REPLACE "/$" "" CHAINSIM_PC_TO_PREFIX "${CHAINSIM_PC_TO_PREFIX}")
set(CHAINSIM_PC_LIBS_PRIVATE "")
if(CHAINSIM_MPI)
  string(APPEND CHAINSIM_PC_LIBS_PRIVATE "${MPI_C_LINK_FLAGS}")
  foreach(l ${MPI_C_LIBRARIES})
    string(APPEND CHAINSIM_PC_LIBS_PRIVATE " ${l}")
  endforeach()
  string(STRIP "${CHAINSIM_PC_LIBS_PRIVATE}" CHAINSIM_PC_LIBS_PRIVATE)
endif()
configure_file(${CMAKE_CURRENT_LIST_DIR}/chainsim.pc.in ${PROJECT_BINARY_DIR}/chainsim.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/chainsim.pc DESTINATION ${_pcdir})

# find_package(chainsim): the target chainsim::chainsim (the shared library).
set(_cmakedir ${CMAKE_INSTALL_LIBDIR}/cmake/chainsim)
install(EXPORT chainsimTargets NAMESPACE chainsim:: DESTINATION ${_cmakedir})
write_basic_package_version_file(${PROJECT_BINARY_DIR}/chainsimConfigVersion.cmake
                                 COMPATIBILITY SameMinorVersion)
install(FILES ${CMAKE_CURRENT_LIST_DIR}/chainsimConfig.cmake
              ${PROJECT_BINARY_DIR}/chainsimConfigVersion.cmake DESTINATION ${_cmakedir})

# share/chainsim: lib/ (what require finds; the program has it built in) and
# scenarios/ (the examples).
install(DIRECTORY ${PROJECT_SOURCE_DIR}/scenarios/lib DESTINATION ${CMAKE_INSTALL_DATADIR}/chainsim
        FILES_MATCHING PATTERN "*.lua")
file(GLOB _examples ${PROJECT_SOURCE_DIR}/scenarios/*.lua ${PROJECT_SOURCE_DIR}/scenarios/README.md)
install(FILES ${_examples} DESTINATION ${CMAKE_INSTALL_DATADIR}/chainsim/scenarios)

# chainsim.1, from the program's own --help and its commands' (cmake/manpage.cmake).
add_custom_command(OUTPUT ${PROJECT_BINARY_DIR}/chainsim.1
  COMMAND ${CMAKE_COMMAND} -DCHAINSIM=$<TARGET_FILE:chainsim> -DVERSION=${PROJECT_VERSION}
          -DOUT=${PROJECT_BINARY_DIR}/chainsim.1 -P ${CMAKE_CURRENT_LIST_DIR}/manpage.cmake
  DEPENDS chainsim ${CMAKE_CURRENT_LIST_DIR}/manpage.cmake
  COMMENT "Writing chainsim.1 from chainsim --help"
  VERBATIM)
add_custom_target(manpage ALL DEPENDS ${PROJECT_BINARY_DIR}/chainsim.1)
install(FILES ${PROJECT_BINARY_DIR}/chainsim.1 DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
