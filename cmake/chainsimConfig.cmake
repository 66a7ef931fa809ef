# find_package(chainsim): the imported target chainsim::chainsim, the shared
# libchainsim with its headers (#include <chainsim/world.h>).  GLib, whose
# types the headers use, comes from pkg-config as chainsim::glib.
include(CMakeFindDependencyMacro)
find_dependency(PkgConfig)
if(NOT TARGET chainsim::glib)
  pkg_check_modules(_chainsim_glib QUIET IMPORTED_TARGET glib-2.0)
  if(NOT _chainsim_glib_FOUND)
    set(chainsim_FOUND FALSE)
    set(chainsim_NOT_FOUND_MESSAGE "chainsim needs glib-2.0 (pkg-config; Debian: libglib2.0-dev)")
    return()
  endif()
  add_library(chainsim::glib INTERFACE IMPORTED)
  set_target_properties(chainsim::glib PROPERTIES INTERFACE_LINK_LIBRARIES PkgConfig::_chainsim_glib)
endif()
include(${CMAKE_CURRENT_LIST_DIR}/chainsimTargets.cmake)
