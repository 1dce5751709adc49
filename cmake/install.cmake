# The installable library: `cmake --install build --prefix P` puts
#   P/lib/librtpu.a                  every stage's library merged into one archive
#   P/include/rtpu/*.h               the public headers (rtpu.h, limits.h, status.h, stats.h, version.h)
#   P/lib/pkgconfig/rtpu.pc          for pkg-config --cflags --libs rtpu
#   P/lib/cmake/rtpu/rtpuConfig.cmake, rtpuConfigVersion.cmake: find_package(rtpu) -> rtpu::rtpu
# examples/ builds against it either way (tests/install checks both).
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(RTPU_ARCHIVE_PARTS rtpu_runtime rtpu_profile rtpu_cpu rtpu_sim rtpu_target rtpu_compiler rtpu_common)
if(TARGET rtpu_rtl)
  list(INSERT RTPU_ARCHIVE_PARTS 1 rtpu_rtl)
endif()
# The archives, '|'-separated: a ';' list would split into separate command arguments.
set(RTPU_ARCHIVE_INPUTS "")
foreach(part ${RTPU_ARCHIVE_PARTS})
  string(APPEND RTPU_ARCHIVE_INPUTS "$<$<BOOL:${RTPU_ARCHIVE_INPUTS}>:|>$<TARGET_FILE:${part}>")
endforeach()
set(RTPU_ARCHIVE ${CMAKE_BINARY_DIR}/librtpu.a)
add_custom_command(OUTPUT ${RTPU_ARCHIVE}
  COMMAND ${CMAKE_COMMAND} -DAR=${CMAKE_AR} -DOUTPUT=${RTPU_ARCHIVE} "-DINPUTS=${RTPU_ARCHIVE_INPUTS}"
          -P ${CMAKE_SOURCE_DIR}/cmake/merge_archives.cmake
  DEPENDS ${RTPU_ARCHIVE_PARTS} ${CMAKE_SOURCE_DIR}/cmake/merge_archives.cmake
  COMMENT "librtpu.a" VERBATIM)
add_custom_target(rtpu_archive ALL DEPENDS ${RTPU_ARCHIVE})

# What librtpu.a needs from the system, for pkg-config and the CMake package.
find_library(RTPU_STB_LIB NAMES stb REQUIRED)
set(RTPU_PRIVATE_LIBS "-lopenblas -ljansson -lstb -lpthread -lm")
set(RTPU_CMAKE_LINK_LIBS "openblas;jansson;stb;pthread;m")
if(TARGET rtpu_rtl)
  string(APPEND RTPU_PRIVATE_LIBS " -lz -lstdc++")
  list(APPEND RTPU_CMAKE_LINK_LIBS z stdc++)
endif()
# A sanitized build installs a sanitized library: its users link the sanitizer runtimes.
set(RTPU_LINK_OPTIONS "")
if(RTPU_SANITIZE)
  string(APPEND RTPU_PRIVATE_LIBS " -fsanitize=address,undefined,float-cast-overflow")
  set(RTPU_LINK_OPTIONS "-fsanitize=address,undefined,float-cast-overflow")
endif()

install(FILES ${RTPU_ARCHIVE} DESTINATION ${CMAKE_INSTALL_LIBDIR})
install(FILES ${CMAKE_SOURCE_DIR}/include/rtpu/rtpu.h ${CMAKE_SOURCE_DIR}/include/rtpu/status.h
              ${CMAKE_SOURCE_DIR}/include/rtpu/stats.h ${CMAKE_SOURCE_DIR}/include/rtpu/limits.h
              ${CMAKE_BINARY_DIR}/include/rtpu/version.h
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/rtpu)
install(TARGETS rtpu RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})

# The .pc file finds the prefix relative to itself, so an installed tree can be moved.
file(RELATIVE_PATH RTPU_PC_UP "/${CMAKE_INSTALL_LIBDIR}/pkgconfig" "/")
string(REGEX REPLACE "/$" "" RTPU_PC_UP "${RTPU_PC_UP}")
configure_file(${CMAKE_SOURCE_DIR}/cmake/rtpu.pc.in ${CMAKE_BINARY_DIR}/rtpu.pc @ONLY)
install(FILES ${CMAKE_BINARY_DIR}/rtpu.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
configure_package_config_file(${CMAKE_SOURCE_DIR}/cmake/rtpuConfig.cmake.in ${CMAKE_BINARY_DIR}/rtpuConfig.cmake
  INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/rtpu)
write_basic_package_version_file(${CMAKE_BINARY_DIR}/rtpuConfigVersion.cmake COMPATIBILITY SameMinorVersion)
install(FILES ${CMAKE_BINARY_DIR}/rtpuConfig.cmake ${CMAKE_BINARY_DIR}/rtpuConfigVersion.cmake
        DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/rtpu)
