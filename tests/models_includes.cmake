cmake_policy(SET CMP0057 NEW) # IN_LIST
# Modules own their state: a module's NAME-private.h (its state struct) is
# included by NAME.c (and NAME_PART.c) only (and NAME-private.h by nothing else in models/);
# world-private.h, what every module shares, is for models/ alone.  Files
# outside models/ include none of models/' private headers.
file(GLOB model_files ${ROOT}/models/*.c ${ROOT}/models/*.h)
set(bad "")
foreach(f ${model_files})
  get_filename_component(name ${f} NAME)
  string(REGEX REPLACE "(-private)?\\.[ch]$" "" module ${name})
  string(REGEX REPLACE "_.*$" "" module ${module}) # a module may span NAME.c and NAME_PART.c
  file(STRINGS ${f} includes REGEX "^[ \t]*#[ \t]*include[ \t]*\"[^\"]*-private\\.h\"")
  foreach(line ${includes})
    string(REGEX REPLACE ".*\"([^\"]*)-private\\.h\".*" "\\1" inc "${line}")
    if(NOT inc STREQUAL "world" AND NOT inc STREQUAL module)
      string(APPEND bad "\n  models/${name} includes ${inc}-private.h")
    endif()
  endforeach()
endforeach()
file(GLOB private_headers RELATIVE ${ROOT}/models ${ROOT}/models/*-private.h)
file(GLOB_RECURSE outside ${ROOT}/app/*.[ch] ${ROOT}/viz/*.[ch] ${ROOT}/sim/*.[ch] ${ROOT}/tests/*.[ch]
     ${ROOT}/bench/*.[ch] ${ROOT}/examples/*.[ch])
foreach(f ${outside})
  file(STRINGS ${f} includes REGEX "^[ \t]*#[ \t]*include[ \t]*\"[^\"]*-private\\.h\"")
  foreach(line ${includes})
    string(REGEX REPLACE ".*\"([^\"]*-private\\.h)\".*" "\\1" inc "${line}")
    get_filename_component(inc ${inc} NAME)
    if(inc IN_LIST private_headers)
      file(RELATIVE_PATH rel ${ROOT} ${f})
      string(APPEND bad "\n  ${rel} includes models/${inc}")
    endif()
  endforeach()
endforeach()
if(bad)
  message(FATAL_ERROR "a module's private header included outside its module:${bad}")
endif()
