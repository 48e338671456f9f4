# Install rules for embedders (included from the top-level CMakeLists.txt,
# after every target exists):
#   cmake --install build --prefix P [--component rocksdb_pushdown]
# installs
#   P/lib/librocksdb_pushdown.so.X.Y.Z      plugin + embedding API + everything below;
#   P/lib/librocksdb_pushdown.so.X          SONAME link (X = PD_SOVERSION, the major)
#   P/lib/librocksdb_pushdown.so            link for -lrocksdb_pushdown
#   P/include/rocksdb_pushdown/...          PD_PUBLIC_HEADERS below (C++17 and C++20,
#                                           PD_PUBLIC_C_HEADERS also C) and the
#                                           generated pushdown/version.h
#   P/lib/cmake/RocksdbPushdown/...         find_package(RocksdbPushdown [X.Y]) ->
#                                           RocksdbPushdown::rocksdb_pushdown
#   P/lib/pkgconfig/rocksdb_pushdown.pc     pkg-config --cflags --libs rocksdb_pushdown
#                                           (no -std: the consumer picks C++17 or later)
#   P/bin/pushdown                          the CLI (RUNPATH: $ORIGIN/../lib and the
#                                           directories of the libraries it links)
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

# The public headers and their include closure: THE one list of what is
# installed under P/include/rocksdb_pushdown (keep in sync with attach.h,
# pushdown_db.h, scan_options.h and the plugin's pushdown_fs.h/registration.h).
# tests/engine/api/cxx17_consumer_test.cc compiles every installed header
# alone as C++17 and C++20 (so a missing include of the closure fails it),
# install_test.cc builds the examples and plugin_install_test.cc the plugin
# consumer against the install. Add a header here; a header that must also
# compile as C (the C API) goes in PD_PUBLIC_C_HEADERS as well.
set(PD_PUBLIC_HEADERS
  engine/api/attach.h
  engine/api/pushdown_db.h
  engine/api/scan_options.h
  engine/api/query.h
  pushdown/query/query_limits.h
  # The plugin: register (registration.h), create and cast (pushdown_fs.h).
  engine/plugin/registration.h
  engine/plugin/pushdown_fs.h
  engine/plugin/pushdown_fs_options.h
  engine/plugin/io_stats.h
  engine/plugin/sst_registry.h
  pushdown/device/device_request.h
  pushdown/plan/placement.h
  bpfgen/schema/datum.h
  bpfgen/schema/row_layout.h
  bpfgen/schema/schema.h
  bpfgen/schema/tpch.h
  bpfgen/schema/types.h
  pushdown/device/program_cache_options.h
  pushdown/scan/scan_stats.h
  pushdown/scan/row_batch.h
  util/status.h
  # The C API (engine/capi implements it).
  pushdown/c.h
)
# Public headers that are also C headers (each must be in PD_PUBLIC_HEADERS
# too); the consumer test compiles them with the C compiler as well.
set(PD_PUBLIC_C_HEADERS
)
foreach(h IN LISTS PD_PUBLIC_HEADERS)
  get_filename_component(d ${h} DIRECTORY)
  install(FILES ${PROJECT_SOURCE_DIR}/${h}
          DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/rocksdb_pushdown/${d}
          COMPONENT rocksdb_pushdown)
endforeach()
# Generated (cmake/PushdownVersion.cmake); C, C++17 and C++20.
install(FILES ${PD_GENERATED_INCLUDE_DIR}/pushdown/version.h
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/rocksdb_pushdown/pushdown
        COMPONENT rocksdb_pushdown)
# For tests: the installed header paths, relative to P/include/rocksdb_pushdown.
string(REPLACE ";" "," PD_INSTALLED_HEADERS "${PD_PUBLIC_HEADERS};pushdown/version.h")
string(REPLACE ";" "," PD_INSTALLED_C_HEADERS "${PD_PUBLIC_C_HEADERS};pushdown/version.h")

install(TARGETS rocksdb_pushdown EXPORT RocksdbPushdownTargets
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT rocksdb_pushdown
          NAMELINK_COMPONENT rocksdb_pushdown)
install(EXPORT RocksdbPushdownTargets
  NAMESPACE RocksdbPushdown::
  DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/RocksdbPushdown
  COMPONENT rocksdb_pushdown)
configure_package_config_file(
  ${PROJECT_SOURCE_DIR}/cmake/RocksdbPushdownConfig.cmake.in
  ${CMAKE_BINARY_DIR}/cmake/RocksdbPushdownConfig.cmake
  INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/RocksdbPushdown)
write_basic_package_version_file(
  ${CMAKE_BINARY_DIR}/cmake/RocksdbPushdownConfigVersion.cmake
  VERSION ${PROJECT_VERSION} COMPATIBILITY SameMinorVersion)
install(FILES ${CMAKE_BINARY_DIR}/cmake/RocksdbPushdownConfig.cmake
              ${CMAKE_BINARY_DIR}/cmake/RocksdbPushdownConfigVersion.cmake
        DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/RocksdbPushdown
        COMPONENT rocksdb_pushdown)

# Relocatable: the prefix is found from the .pc file's own location.
file(RELATIVE_PATH PD_PC_TO_PREFIX /x/${CMAKE_INSTALL_LIBDIR}/pkgconfig /x)
set(PD_PC_EXTRA_LIBS "")
if(PD_SANITIZE)
  set(PD_PC_EXTRA_LIBS " -fsanitize=address,undefined")
endif()
configure_file(${PROJECT_SOURCE_DIR}/cmake/rocksdb_pushdown.pc.in
               ${CMAKE_BINARY_DIR}/cmake/rocksdb_pushdown.pc @ONLY)
install(FILES ${CMAKE_BINARY_DIR}/cmake/rocksdb_pushdown.pc
        DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig
        COMPONENT rocksdb_pushdown)

# The CLI. It links the project's code statically; installed, it finds its
# shared libraries through its RUNPATH: $ORIGIN/../<libdir> (this package's
# lib directory, for what it may link from here) and the directories of the
# libraries it was linked with outside the system paths (LLVM's), then the
# standard paths (librocksdb.so.7.8). Installed only when the CLI is built.
if(TARGET pushdown)
  set_target_properties(pushdown PROPERTIES
    INSTALL_RPATH "$ORIGIN/../${CMAKE_INSTALL_LIBDIR}"
    INSTALL_RPATH_USE_LINK_PATH ON)
  install(TARGETS pushdown RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR}
          COMPONENT rocksdb_pushdown)
endif()
