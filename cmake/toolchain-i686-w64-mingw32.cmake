# Cross-compiling mfcsock for 32-bit Windows with mingw-w64 on Linux; the
# test executables run under Wine (needs wine32) through cmake/wine-run.sh.
set(CMAKE_SYSTEM_NAME Windows)
set(CMAKE_SYSTEM_PROCESSOR x86)
set(MFCS_TRIPLET i686-w64-mingw32)
include(${CMAKE_CURRENT_LIST_DIR}/mingw-common.cmake)
