# Installation: the layout a C programmer expects of a Win32 library (like
# zlib's or libcurl's), included from CMakeLists.txt.
#   bin/mfcsock.dll
#   lib/libmfcsock.dll.a (MinGW) and lib/mfcsock.lib (MSVC)
#   include/mfcsock.h, include/mfcsock/*.h
#   lib/pkgconfig/mfcsock.pc
#   lib/cmake/mfcsock/mfcsockConfig.cmake (+ version file), target mfcsock::mfcsock
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

install(TARGETS mfcsock EXPORT mfcsockTargets
  RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR}
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR})
install(DIRECTORY include/ DESTINATION ${CMAKE_INSTALL_INCLUDEDIR} FILES_MATCHING PATTERN "*.h")

# A MinGW build also ships an import library for MSVC's link.exe, made from
# the same .def (zlib's way), so MSVC users need not rebuild.
if(MINGW)
  if(CMAKE_DLLTOOL)
    set(MFCS_DLLTOOL ${CMAKE_DLLTOOL})
  else()
    find_program(MFCS_DLLTOOL NAMES ${MFCS_TRIPLET}-dlltool dlltool)
  endif()
  if(MFCS_DLLTOOL)
    if(CMAKE_SIZEOF_VOID_P EQUAL 4)
      set(_machine i386)
    else()
      set(_machine i386:x86-64)
    endif()
    add_custom_command(OUTPUT ${CMAKE_ARCHIVE_OUTPUT_DIRECTORY}/mfcsock.lib
      COMMAND ${MFCS_DLLTOOL} -m ${_machine} -d ${PROJECT_SOURCE_DIR}/def/mfcsock.def
              -D mfcsock.dll -l ${CMAKE_ARCHIVE_OUTPUT_DIRECTORY}/mfcsock.lib
      DEPENDS ${PROJECT_SOURCE_DIR}/def/mfcsock.def
      COMMENT "Making the MSVC import library mfcsock.lib")
    add_custom_target(mfcsock_msvc_implib ALL DEPENDS ${CMAKE_ARCHIVE_OUTPUT_DIRECTORY}/mfcsock.lib)
    install(FILES ${CMAKE_ARCHIVE_OUTPUT_DIRECTORY}/mfcsock.lib DESTINATION ${CMAKE_INSTALL_LIBDIR})
  else()
    message(WARNING "dlltool not found: lib/mfcsock.lib (for MSVC) will not be made")
  endif()
endif()

if(WIN32)
  set(MFCS_PC_LIBS "-lws2_32")
  set(MFCS_PC_LIBS_PRIVATE "-luser32")
else()
  set(MFCS_PC_LIBS "-lpthread")
  set(MFCS_PC_LIBS_PRIVATE "")
endif()
configure_file(cmake/mfcsock.pc.in ${PROJECT_BINARY_DIR}/mfcsock.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/mfcsock.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)

install(EXPORT mfcsockTargets NAMESPACE mfcsock:: DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/mfcsock)
configure_package_config_file(cmake/mfcsockConfig.cmake.in
  ${PROJECT_BINARY_DIR}/mfcsockConfig.cmake
  INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/mfcsock)
write_basic_package_version_file(${PROJECT_BINARY_DIR}/mfcsockConfigVersion.cmake
  VERSION ${PROJECT_VERSION} COMPATIBILITY SameMajorVersion)
install(FILES ${PROJECT_BINARY_DIR}/mfcsockConfig.cmake ${PROJECT_BINARY_DIR}/mfcsockConfigVersion.cmake
  DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/mfcsock)
