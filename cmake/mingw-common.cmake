# Shared by both mingw toolchain files: MFCS_TRIPLET names the compiler.
set(CMAKE_C_COMPILER ${MFCS_TRIPLET}-gcc)
set(CMAKE_RC_COMPILER ${MFCS_TRIPLET}-windres)
# A project that uses an installed mfcsock passes -DCMAKE_PREFIX_PATH=<prefix>.
# With the package mode ONLY below, CMake would look for it re-rooted, under
# /usr/<triplet>/<prefix>; as a root of its own, each such prefix is searched
# as given, and still nothing of the Linux host is.
set(CMAKE_FIND_ROOT_PATH /usr/${MFCS_TRIPLET} ${CMAKE_PREFIX_PATH})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
set(CMAKE_CROSSCOMPILING_EMULATOR ${CMAKE_CURRENT_LIST_DIR}/wine-run.sh)
