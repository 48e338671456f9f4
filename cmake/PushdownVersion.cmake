# The project's version, in one place: project(rocksdb_pushdown VERSION ...)
# in the top-level CMakeLists.txt. From it:
#   - build/generated/pushdown/version.h (PUSHDOWN_VERSION_MAJOR/MINOR/PATCH),
#     on the include path of every pd_* library and of rocksdb_pushdown;
#   - the shared library's SONAME, librocksdb_pushdown.so.${PD_SOVERSION}
#     (engine/plugin/CMakeLists.txt);
#   - the CMake package version file and the .pc Version (PushdownInstall.cmake).
set(PD_GENERATED_INCLUDE_DIR ${CMAKE_BINARY_DIR}/generated)
configure_file(${PROJECT_SOURCE_DIR}/pushdown/version.h.in
               ${PD_GENERATED_INCLUDE_DIR}/pushdown/version.h @ONLY)
# The ABI version: the major version. While it is 0 the ABI may change between
# minor releases; the package version file (SameMinorVersion) says so to
# find_package.
set(PD_SOVERSION ${PROJECT_VERSION_MAJOR})
