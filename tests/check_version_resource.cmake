# The built DLL carries a VERSIONINFO whose FileVersion and ProductVersion
# strings equal the project version (what mfcs_version() returns; test_core
# checks that side). Reads the UTF-16 strings straight out of the file, so
# it needs no Windows tool.
file(READ ${DLL} hex HEX)
foreach(key FileVersion ProductVersion)
  # "<key>\0" then padding, then "<version>\0", all UTF-16LE.
  set(k "")
  string(LENGTH "${key}" n)
  math(EXPR last "${n} - 1")
  foreach(i RANGE ${last})
    string(SUBSTRING "${key}" ${i} 1 c)
    string(HEX "${c}" ch)
    string(APPEND k "${ch}00")
  endforeach()
  set(v "")
  string(LENGTH "${VERSION}" n)
  math(EXPR last "${n} - 1")
  foreach(i RANGE ${last})
    string(SUBSTRING "${VERSION}" ${i} 1 c)
    string(HEX "${c}" ch)
    string(APPEND v "${ch}00")
  endforeach()
  if(NOT hex MATCHES "${k}0000(0000)?${v}0000")
    message(FATAL_ERROR "${DLL}: no VERSIONINFO ${key} = ${VERSION}")
  endif()
endforeach()
message("version resource: FileVersion and ProductVersion are ${VERSION}")
