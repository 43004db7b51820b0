# Installs the build into a scratch prefix, then builds consumers against
# it: one with find_package(mfcsock CONFIG REQUIRED), one with pkg-config's
# flags alone, one linked against lib/mfcsock.lib, and the README's own
# example (examples/use_from_cmake) with the README's own commands; runs
# them all (under Wine when cross-compiling), and one that takes the source
# with add_subdirectory. Under Wine it also runs a
# consumer without its DLL, which cmake/wine-run.sh must explain. Also
# checks the installed layout. Run by ctest with -DBUILD_DIR -DSOURCE_DIR
# -DPREFIX -DTOOLCHAIN -DEMULATOR -DCC -DPKG_CONFIG -DGENERATOR.
function(run what)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${what} failed (${rc}):\n${out}\n${err}")
  endif()
  message("${what}: ok ${out}")
endfunction()

# The text of the fenced block that follows <marker> in the README.
function(readme_block marker out_var)
  file(READ ${SOURCE_DIR}/README.md readme)
  string(REPLACE "\r" "" readme "${readme}") # a Windows checkout may have CRLF
  string(FIND "${readme}" "${marker}" at)
  if(at LESS 0)
    message(FATAL_ERROR "README.md lacks the marker ${marker}")
  endif()
  string(SUBSTRING "${readme}" ${at} -1 rest)
  if(NOT rest MATCHES "```[a-z]*\n")
    message(FATAL_ERROR "README.md: no code block after ${marker}")
  endif()
  string(FIND "${rest}" "${CMAKE_MATCH_0}" open)
  string(LENGTH "${CMAKE_MATCH_0}" n)
  math(EXPR open "${open} + ${n}")
  string(SUBSTRING "${rest}" ${open} -1 rest)
  string(FIND "${rest}" "```" close)
  string(SUBSTRING "${rest}" 0 ${close} block)
  set(${out_var} "${block}" PARENT_SCOPE)
endfunction()

file(REMOVE_RECURSE ${PREFIX})
run("cmake --install" ${CMAKE_COMMAND} --install ${BUILD_DIR} --prefix ${PREFIX})

set(expected bin/mfcsock.dll include/mfcsock.h include/mfcsock/base.h
    lib/pkgconfig/mfcsock.pc lib/cmake/mfcsock/mfcsockConfig.cmake
    lib/cmake/mfcsock/mfcsockConfigVersion.cmake)
if(CC MATCHES "mingw|gcc|clang")
  list(APPEND expected lib/libmfcsock.dll.a lib/mfcsock.lib)
else()
  list(APPEND expected lib/mfcsock.lib)
endif()
if(TOOL)
  list(APPEND expected bin/mfcsock-dump${CMAKE_EXECUTABLE_SUFFIX_HINT} share/mfcsock/layouts/scribble.layout)
endif()
foreach(f IN LISTS expected)
  if(NOT EXISTS ${PREFIX}/${f})
    message(FATAL_ERROR "the install lacks ${f}")
  endif()
endforeach()

set(work ${PREFIX}-consumers)
file(REMOVE_RECURSE ${work})
set(tc "")
if(TOOLCHAIN)
  set(tc -DCMAKE_TOOLCHAIN_FILE=${TOOLCHAIN})
endif()
run("configure the find_package consumer" ${CMAKE_COMMAND} -S ${SOURCE_DIR}/tests/consumer
    -B ${work}/cmake -G ${GENERATOR} ${tc} -Dmfcsock_DIR=${PREFIX}/lib/cmake/mfcsock)
run("build the find_package consumer" ${CMAKE_COMMAND} --build ${work}/cmake)

# The pkg-config consumer: the compiler, the .pc file's flags, nothing else
# of mfcsock's (shell32 is the consumer's own; ws2_32 must come from the .pc).
set(strict -Werror=implicit-function-declaration)
if(CC MATCHES "gcc|clang" AND NOT PKG_CONFIG)
  message(FATAL_ERROR "no pkg-config: the .pc file cannot be checked")
endif()
if(PKG_CONFIG AND CC MATCHES "gcc|clang")
  set(ENV{PKG_CONFIG_LIBDIR} ${PREFIX}/lib/pkgconfig)
  execute_process(COMMAND ${PKG_CONFIG} --cflags --libs mfcsock OUTPUT_VARIABLE flags
                  RESULT_VARIABLE rc OUTPUT_STRIP_TRAILING_WHITESPACE)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "pkg-config does not know mfcsock")
  endif()
  separate_arguments(flags UNIX_COMMAND "${flags}")
  run("build the pkg-config consumer (${flags})" ${CC} ${strict} ${SOURCE_DIR}/tests/consumer/main.c
      ${flags} -lshell32 -o ${work}/consumer_pc.exe)
  # mfcsock.lib is the import library for MSVC's link.exe; GNU ld reads the
  # same format, so linking it here shows it names every function the
  # consumer calls (the MSVC link itself runs in Windows CI). Linked by
  # hand, as the README's Linking section says: ws2_32 is named here.
  run("link the consumer against lib/mfcsock.lib" ${CC} ${strict} ${SOURCE_DIR}/tests/consumer/main.c
      -I${PREFIX}/include ${PREFIX}/lib/mfcsock.lib -lws2_32 -lshell32 -o ${work}/consumer_lib.exe)
endif()

# All run with the installed DLL beside them, as a user ships it.
file(COPY ${PREFIX}/bin/mfcsock.dll DESTINATION ${work}/cmake)
file(GLOB exes ${work}/cmake/consumer.exe ${work}/cmake/*/consumer.exe)
if(EXISTS ${work}/consumer_pc.exe)
  file(COPY ${PREFIX}/bin/mfcsock.dll DESTINATION ${work})
  list(APPEND exes ${work}/consumer_pc.exe ${work}/consumer_lib.exe)
endif()
foreach(exe IN LISTS exes)
  get_filename_component(dir ${exe} DIRECTORY)
  if(NOT EXISTS ${dir}/mfcsock.dll)
    file(COPY ${PREFIX}/bin/mfcsock.dll DESTINATION ${dir})
  endif()
  run("run ${exe}" ${EMULATOR} ${exe})
endforeach()
list(LENGTH exes n)
message("consumers: ${n} built and ran against the installed tree")

# ---- mfcsock taken with add_subdirectory (or FetchContent) ----
run("configure the add_subdirectory consumer" ${CMAKE_COMMAND} -S ${SOURCE_DIR}/tests/consumer/subdir
    -B ${work}/subdir -G ${GENERATOR} ${tc} -DMFCSOCK_SOURCE=${SOURCE_DIR})
run("build the add_subdirectory consumer" ${CMAKE_COMMAND} --build ${work}/subdir)
file(GLOB sub_exe ${work}/subdir/consumer.exe ${work}/subdir/*/consumer.exe)
run("run ${sub_exe}" ${EMULATOR} ${sub_exe})

# ---- the README's "Use it from your own project" ----
# Its CMakeLists.txt is the one in examples/use_from_cmake.
readme_block("<!-- examples/use_from_cmake/CMakeLists.txt" shown)
file(READ ${SOURCE_DIR}/examples/use_from_cmake/CMakeLists.txt actual)
string(REPLACE "\r" "" actual "${actual}")
string(STRIP "${shown}" shown)
string(STRIP "${actual}" actual)
if(NOT shown STREQUAL actual)
  message(FATAL_ERROR "README.md shows a CMakeLists.txt that is not "
                      "examples/use_from_cmake/CMakeLists.txt:\n${shown}")
endif()
message("the README's CMakeLists.txt is examples/use_from_cmake/CMakeLists.txt: ok")

set(app_build ${work}/readme-app)
if(EMULATOR MATCHES "wine-run\\.sh$" AND TOOLCHAIN MATCHES "toolchain-([^/]+)-w64-mingw32\\.cmake$")
  # A cross build under Wine: the README's lines exactly as shown, with its
  # variables set to this build (the prefix installed above stands for the
  # README's own cmake --install).
  set(arch ${CMAKE_MATCH_1})
  readme_block("<!-- run by tests/consumer/check.cmake" lines)
  get_filename_component(cmake_bin ${CMAKE_COMMAND} DIRECTORY)
  file(WRITE ${work}/readme.sh
       "PATH='${cmake_bin}':$PATH\nMFCSOCK='${SOURCE_DIR}'\nARCH='${arch}'\n"
       "PREFIX='${PREFIX}'\nAPP_BUILD='${app_build}'\n${lines}")
  run("the README's configure, build and run lines" bash -eu -o pipefail ${work}/readme.sh)

  # Without its DLL, the program cannot start; wine-run.sh must say why.
  file(MAKE_DIRECTORY ${work}/no-dll)
  file(COPY ${work}/cmake/consumer.exe DESTINATION ${work}/no-dll)
  execute_process(COMMAND ${EMULATOR} ${work}/no-dll/consumer.exe
                  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 53 OR NOT err MATCHES "could not find mfcsock\\.dll"
     OR NOT err MATCHES "TARGET_RUNTIME_DLLS")
    message(FATAL_ERROR "a consumer without mfcsock.dll: expected exit code 53 and "
                        "wine-run.sh naming mfcsock.dll, got ${rc}:\n${out}\n${err}")
  endif()
  message("a consumer without mfcsock.dll: ${rc}, and wine-run.sh said:\n${err}")
elseif(NOT TOOLCHAIN)
  # Native Windows: the README's native variant, CMAKE_PREFIX_PATH alone.
  run("configure examples/use_from_cmake" ${CMAKE_COMMAND} -S ${SOURCE_DIR}/examples/use_from_cmake
      -B ${app_build} -G ${GENERATOR} -DCMAKE_PREFIX_PATH=${PREFIX})
  run("build examples/use_from_cmake" ${CMAKE_COMMAND} --build ${app_build})
  file(GLOB app ${app_build}/app.exe ${app_build}/*/app.exe)
  run("run ${app}" ${app})
else()
  message("the README's cross-build lines need cmake/wine-run.sh and a toolchain "
          "file of cmake/: not run with ${TOOLCHAIN}")
endif()
