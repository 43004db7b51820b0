# mfcsock-dump as a user runs it (ctest -R dump_cli): each mode on the
# Scribble document, the exit statuses, and decode -> encode giving the
# file's bytes back. cmake -DTOOL=... -DEMULATOR=... -DDOC=... -DLAYOUT=...
# -DWORK=... [-DPREFIX=Z:] -P dump_cli.cmake (PREFIX: how the tool under
# Wine names the host's paths).
file(MAKE_DIRECTORY ${WORK})
function(run expect_status out_var)
  execute_process(COMMAND ${EMULATOR} ${TOOL} ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL expect_status)
    message(FATAL_ERROR "mfcsock-dump ${ARGN}: exit ${rc}, want ${expect_status}\n${out}\n${err}")
  endif()
  set(${out_var} "${out}${err}" PARENT_SCOPE)
endfunction()

run(0 out --version)
if(NOT out MATCHES "mfcsock-dump [0-9]+\\.[0-9]+\\.[0-9]+")
  message(FATAL_ERROR "--version said: ${out}")
endif()
run(2 out --layout)                            # usage
if(NOT out MATCHES "usage:")
  message(FATAL_ERROR "a bad command line did not show the usage: ${out}")
endif()

if(NOT EXISTS "${DOC}")
  message(STATUS "SKIP: ${DOC} is not there (shared/ beside the repository)")
  return()
endif()

# Walk: the class record is certain.
run(0 out ${PREFIX}${DOC})
if(NOT out MATCHES "class CStroke, schema 2")
  message(FATAL_ERROR "the walk did not find CStroke:\n${out}")
endif()

# Decode to JSON, then encode: the same 781 bytes.
run(0 json --layout ${PREFIX}${LAYOUT} ${PREFIX}${DOC})
file(WRITE ${WORK}/scribble.json "${json}")
run(0 out --layout ${PREFIX}${LAYOUT} --encode ${PREFIX}${WORK}/scribble.json -o ${PREFIX}${WORK}/scribble.scb)
execute_process(COMMAND ${CMAKE_COMMAND} -E compare_files ${DOC} ${WORK}/scribble.scb RESULT_VARIABLE same)
if(NOT same EQUAL 0)
  message(FATAL_ERROR "decode then encode did not give the document's bytes back")
endif()

# The text tree.
run(0 out --layout ${PREFIX}${LAYOUT} --text ${PREFIX}${DOC})
if(NOT out MATCHES "strokes: \\[4\\]" OR NOT out MATCHES "CStroke #2")
  message(FATAL_ERROR "--text said:\n${out}")
endif()

# A file the layout does not fit (the layout itself, read as an archive):
# exit 1, and where.
run(1 out --layout ${PREFIX}${LAYOUT} ${PREFIX}${LAYOUT})
if(NOT out MATCHES "offset")
  message(FATAL_ERROR "a mismatch was reported as: ${out}")
endif()
# A JSON value that does not fit its field.
string(REPLACE "\"pen_width\":\t2" "\"pen_width\":\t70000" bad "${json}")
file(WRITE ${WORK}/bad.json "${bad}")
run(1 out --layout ${PREFIX}${LAYOUT} --encode ${PREFIX}${WORK}/bad.json -o ${PREFIX}${WORK}/bad.scb)
if(NOT out MATCHES "pen_width: 70000 does not fit")
  message(FATAL_ERROR "a bad value was reported as: ${out}")
endif()
# -o goes with --encode only: a decode asked to write a file must not print
# to stdout and exit 0 as if it had.
run(2 out --layout ${PREFIX}${LAYOUT} ${PREFIX}${DOC} -o ${PREFIX}${WORK}/never.json)
if(EXISTS ${WORK}/never.json)
  message(FATAL_ERROR "-o without --encode wrote a file")
endif()
# Output that cannot be written whole (a full disk) is exit 2, not 0:
# natively the tool sees the error; under Wine, wine-run.sh's copy does.
if(EXISTS /dev/full)
  foreach(args "${PREFIX}${DOC}" "--layout;${PREFIX}${LAYOUT};${PREFIX}${DOC}")
    execute_process(COMMAND ${EMULATOR} ${TOOL} ${args} OUTPUT_FILE /dev/full ERROR_VARIABLE err RESULT_VARIABLE rc)
    if(NOT rc EQUAL 2 OR NOT err MATCHES "cannot write stdout|could not be copied whole")
      message(FATAL_ERROR "mfcsock-dump ${args} > /dev/full: exit ${rc}, want 2\n${err}")
    endif()
  endforeach()
endif()
message(STATUS "mfcsock-dump: walk, decode, encode, text and errors as documented")
