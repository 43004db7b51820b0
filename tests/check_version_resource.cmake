# The built DLL carries a VERSIONINFO whose FileVersion and ProductVersion
# strings equal the project version (what mfcs_version() returns; test_core
# checks that side). Reads the UTF-16 strings straight out of the file, so
# it needs no Windows tool.

# The UTF-16LE bytes of an ASCII string, as hex digits.
function(utf16_hex text out)
  set(h "")
  string(LENGTH "${text}" n)
  math(EXPR last "${n} - 1")
  foreach(i RANGE ${last})
    string(SUBSTRING "${text}" ${i} 1 c)
    string(HEX "${c}" ch)
    string(APPEND h "${ch}00")
  endforeach()
  set(${out} "${h}" PARENT_SCOPE)
endfunction()

file(READ ${DLL} hex HEX)
utf16_hex("${VERSION}" v)
foreach(key FileVersion ProductVersion)
  # "<key>\0" then padding, then "<version>\0", all UTF-16LE.
  utf16_hex("${key}" k)
  if(NOT hex MATCHES "${k}0000(0000)?${v}0000")
    message(FATAL_ERROR "${DLL}: no VERSIONINFO ${key} = ${VERSION}")
  endif()
endforeach()
message("version resource: FileVersion and ProductVersion are ${VERSION}")
