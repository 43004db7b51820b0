# The built DLL carries a VERSIONINFO whose FileVersion and ProductVersion
# strings equal the project version, with a description, a copyright and
# its file name (what mfcs_version() returns; test_core
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
# What Explorer's Details tab shows besides the version.
foreach(pair "FileDescription;mfcsock: MFC sockets" "LegalCopyright;Copyright" "OriginalFilename;mfcsock.dll")
  list(GET pair 0 key)
  list(GET pair 1 start)
  utf16_hex("${key}" k)
  utf16_hex("${start}" s)
  if(NOT hex MATCHES "${k}0000(0000)?${s}")
    message(FATAL_ERROR "${DLL}: VERSIONINFO ${key} does not start with \"${start}\"")
  endif()
endforeach()
message("version resource: FileVersion and ProductVersion are ${VERSION}; description, copyright and file name present")
