# What `cmake --install` puts under CMAKE_INSTALL_PREFIX:
#   bin/pretok-db
#   include/pretokdb/*.h                 the public API
#   lib/libpretokdb.a
#   lib/cmake/pretokdb/                  pretokdbConfig.cmake and its targets
# Another project then writes
#   find_package(pretokdb CONFIG REQUIRED)
#   target_link_libraries(app PRIVATE pretokdb::pretokdb)
# and the config finds the libraries pretokdb links (RocksDB, RE2, xxHash,
# LZ4) itself.

include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

install(TARGETS pretok-db RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(TARGETS pretokdb EXPORT pretokdbTargets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(DIRECTORY ${CMAKE_SOURCE_DIR}/include/pretokdb
  DESTINATION ${CMAKE_INSTALL_INCLUDEDIR} FILES_MATCHING PATTERN "*.h")

set(PRETOKDB_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/pretokdb)
install(EXPORT pretokdbTargets NAMESPACE pretokdb:: DESTINATION ${PRETOKDB_CMAKE_DIR})
configure_package_config_file(${CMAKE_SOURCE_DIR}/cmake/pretokdbConfig.cmake.in
  ${CMAKE_BINARY_DIR}/pretokdbConfig.cmake INSTALL_DESTINATION ${PRETOKDB_CMAKE_DIR})
write_basic_package_version_file(${CMAKE_BINARY_DIR}/pretokdbConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${CMAKE_BINARY_DIR}/pretokdbConfig.cmake
              ${CMAKE_BINARY_DIR}/pretokdbConfigVersion.cmake
  DESTINATION ${PRETOKDB_CMAKE_DIR})
