# mfcsock-dump's tests (included by tests/CMakeLists.txt on every
# platform): the walk, decode and encode of every real document through
# its layout, the command line, and on Windows the proxy.
function(mfcs_add_dump_test part)
  mfcs_add_test(${part} LIB mfcsock_dump)
  target_compile_definitions(test_${part} PRIVATE MFCS_REAL_ARCHIVES_DIR="${_real}"
    MFCS_FUZZ_CORPUS_DIR="${_corpus}" MFCS_LAYOUTS_DIR="${_layouts}")
endfunction()

set(_layouts "${PROJECT_SOURCE_DIR}/tools/layouts")
set(_host_prefix "")
if(CMAKE_CROSSCOMPILING)
  set(_layouts "Z:${_layouts}")
  set(_host_prefix "Z:")
endif()

mfcs_add_dump_test(dump_walk)
mfcs_add_dump_test(dump)

# The command line, through Wine when cross-compiling.
add_test(NAME dump_cli COMMAND ${CMAKE_COMMAND}
  -DTOOL=$<TARGET_FILE:mfcsock-dump> "-DEMULATOR=${CMAKE_CROSSCOMPILING_EMULATOR}"
  -DDOC=${_real_host}/scribble-step5-Scribb1.SCB
  -DLAYOUT=${PROJECT_SOURCE_DIR}/tools/layouts/scribble.layout
  -DWORK=${CMAKE_CURRENT_BINARY_DIR}/dump_cli -DPREFIX=${_host_prefix}
  -P ${CMAKE_CURRENT_SOURCE_DIR}/dump_cli.cmake)
set_tests_properties(dump_cli PROPERTIES TIMEOUT 120)

# The proxy between real peers: the file-transfer example and the Python
# peer (tests/run_dump_proxy.py). Windows builds: the proxy needs Winsock.
if(WIN32 AND MFCS_PYTHON AND MFCS_BUILD_EXAMPLES)
  add_test(NAME dump_proxy COMMAND ${MFCS_PYTHON} ${CMAKE_CURRENT_SOURCE_DIR}/run_dump_proxy.py
    "${CMAKE_CROSSCOMPILING_EMULATOR}" ${CMAKE_RUNTIME_OUTPUT_DIRECTORY} ${CMAKE_CURRENT_BINARY_DIR}/dump_proxy
    ${PROJECT_SOURCE_DIR})
  set_tests_properties(dump_proxy PROPERTIES TIMEOUT 300)
endif()
