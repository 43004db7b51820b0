# Checks that the export list is one set in three places (zlib's and
# libcurl's discipline): the names in def/mfcsock.def, the MFCS_CALL functions
# declared under include/, and the built DLL's export table. Also checks that
# every export has the mfcs_ prefix and every declaration a doc comment.
# Run by ctest: cmake -DDEF=... -DINCLUDE_DIR=... -DDLL=... -DOBJDUMP=... -P check_exports.cmake
set(problems "")

file(STRINGS ${DEF} def_lines)
set(def_names "")
foreach(line IN LISTS def_lines)
  if(line MATCHES "^[ \t]+([A-Za-z_][A-Za-z0-9_]*)")
    list(APPEND def_names ${CMAKE_MATCH_1})
  endif()
endforeach()

file(GLOB_RECURSE headers ${INCLUDE_DIR}/*.h)
set(header_names "")
foreach(h IN LISTS headers)
  file(READ ${h} text)
  # Split at ';' so each piece holds at most one declaration and the text
  # (doc comment) just before it.
  string(REPLACE ";" "\n@@SEMI@@\n" text "${text}")
  string(REPLACE "\n@@SEMI@@\n" ";" pieces "${text}")
  foreach(piece IN LISTS pieces)
    if(piece MATCHES "MFCS_CALL[ \t\r\n]+(mfcs_[A-Za-z0-9_]+)[ \t\r\n]*\\(")
      set(name ${CMAKE_MATCH_1})
      set(decl "${CMAKE_MATCH_0}")
      list(APPEND header_names ${name})
      # The comment must come before the declaration itself (the name may
      # also appear inside the comment).
      string(FIND "${piece}" "${decl}" at)
      string(SUBSTRING "${piece}" 0 ${at} before)
      if(NOT before MATCHES "\\*/")
        string(APPEND problems "  ${name} in ${h} has no doc comment before it\n")
      endif()
    endif()
  endforeach()
endforeach()

set(dll_names "")
if(OBJDUMP AND EXISTS "${DLL}")
  execute_process(COMMAND ${OBJDUMP} -p ${DLL} OUTPUT_VARIABLE dump RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    string(APPEND problems "  ${OBJDUMP} -p ${DLL} failed (${rc})\n")
  endif()
  # The name table runs from its heading to the next blank line.
  string(REGEX MATCH "\\[Ordinal/Name Pointer\\] Table\n([^\n]+\n)*" table "${dump}")
  string(REGEX MATCHALL "\\[ *[0-9]+\\] [A-Za-z_][A-Za-z0-9_@]*" rows "${table}")
  foreach(row IN LISTS rows)
    string(REGEX REPLACE "^\\[ *[0-9]+\\] " "" n "${row}")
    list(APPEND dll_names ${n})
  endforeach()
elseif(MSVC)
  # MSVC has no objdump; test_exports still resolves every name with GetProcAddress.
  message(STATUS "MSVC: the DLL's export table is checked by test_exports alone")
  set(dll_names ${def_names})
else()
  message(FATAL_ERROR "objdump not found (${OBJDUMP}): the DLL's export table cannot be checked")
endif()

foreach(kind def header dll)
  foreach(n IN LISTS ${kind}_names)
    if(NOT n MATCHES "^mfcs_")
      string(APPEND problems "  ${n} (${kind}) lacks the mfcs_ prefix\n")
    endif()
  endforeach()
  list(LENGTH ${kind}_names len_${kind})
endforeach()
foreach(pair "def;header" "header;def" "def;dll" "dll;def")
  list(GET pair 0 a)
  list(GET pair 1 b)
  foreach(n IN LISTS ${a}_names)
    list(FIND ${b}_names ${n} found)
    if(found EQUAL -1)
      string(APPEND problems "  ${n} is in the ${a} list but not in the ${b} list\n")
    endif()
  endforeach()
endforeach()

if(problems)
  message(FATAL_ERROR "export lists differ:\n${problems}")
endif()
message("exports match: ${len_def} names in the .def, ${len_header} declared, ${len_dll} exported")
