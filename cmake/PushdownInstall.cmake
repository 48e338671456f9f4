# Install rules for embedders (included from engine/api/CMakeLists.txt, after
# the rocksdb_pushdown target exists):
#   cmake --install build --prefix P [--component rocksdb_pushdown]
# installs
#   P/lib/librocksdb_pushdown.so            plugin + embedding API + everything below
#   P/include/rocksdb_pushdown/...          engine/api/pushdown_db.h, the plugin's
#                                           engine/plugin/{registration,pushdown_fs}.h
#                                           and what they include
#   P/lib/cmake/RocksdbPushdown/...         find_package(RocksdbPushdown) ->
#                                           RocksdbPushdown::rocksdb_pushdown
#   P/lib/pkgconfig/rocksdb_pushdown.pc     pkg-config --cflags --libs rocksdb_pushdown
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

# The public headers and their include closure (keep in sync with attach.h,
# pushdown_db.h, scan_options.h and the plugin's pushdown_fs.h/registration.h;
# tests/engine/api/install_test.cc compiles the example and
# tests/engine/plugin/plugin_install_test.cc the plugin consumer against the
# install).
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
  bpfgen/schema/datum.h
  bpfgen/schema/row_layout.h
  bpfgen/schema/schema.h
  bpfgen/schema/tpch.h
  bpfgen/schema/types.h
  pushdown/device/program_cache_options.h
  pushdown/scan/scan_stats.h
  util/status.h
  # The C API (engine/capi implements it).
  pushdown/c.h
)
foreach(h IN LISTS PD_PUBLIC_HEADERS)
  get_filename_component(d ${h} DIRECTORY)
  install(FILES ${PROJECT_SOURCE_DIR}/${h}
          DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/rocksdb_pushdown/${d}
          COMPONENT rocksdb_pushdown)
endforeach()

install(TARGETS rocksdb_pushdown EXPORT RocksdbPushdownTargets
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT rocksdb_pushdown)
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
