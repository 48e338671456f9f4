# Helpers every directory uses. Target names: the directory with '/' -> '_',
# prefixed "pd_": bpfgen/lang -> pd_bpfgen_lang.

# pd_add_library(<name> [sources...] [DEPS targets...])
#   A static (PIC) library named pd_<name>; includes are repo-root relative
#   ("bpfgen/lang/ast.h").
function(pd_add_library name)
  cmake_parse_arguments(ARG "" "" "DEPS" ${ARGN})
  add_library(pd_${name} STATIC ${ARG_UNPARSED_ARGUMENTS})
  target_include_directories(pd_${name} PUBLIC
    $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}> $<BUILD_INTERFACE:${PD_GENERATED_INCLUDE_DIR}>
    $<INSTALL_INTERFACE:include/rocksdb_pushdown>)
  if(ARG_DEPS)
    target_link_libraries(pd_${name} PUBLIC ${ARG_DEPS})
  endif()
endfunction()

# pd_add_test(<name> SOURCES a_test.cc ... DEPS libs... [LABEL unit|bpf|integration] [TIMEOUT s])
#   One gtest executable in build/tests; each TEST() is one ctest entry
#   (discovered when ctest runs), labelled for the tiers:
#     unit        no privileges, no disk-heavy work
#     bpf         needs CAP_BPF; GTEST_SKIP with the reason where missing
#     integration RocksDB on disk / stock tools
#   Tests run with PUSHDOWN_PIN=off: a kernel program loaded by a test is never
#   pinned in the system's bpffs (pushdown/device/pin_store.h). Pinning tests
#   set their own pin directory on a private bpffs mount, which turns it on.
function(pd_add_test name)
  cmake_parse_arguments(ARG "" "LABEL;TIMEOUT" "SOURCES;DEPS" ${ARGN})
  if(NOT ARG_LABEL)
    set(ARG_LABEL unit)
  endif()
  if(NOT ARG_TIMEOUT)
    set(ARG_TIMEOUT 600)
  endif()
  add_executable(${name} ${ARG_SOURCES})
  set_target_properties(${name} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/tests)
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} GTest::gmock GTest::gtest GTest::gtest_main)
  target_compile_definitions(${name} PRIVATE
    PD_SOURCE_DIR="${PROJECT_SOURCE_DIR}" PD_BINARY_DIR="${CMAKE_BINARY_DIR}")
  gtest_discover_tests(${name}
    DISCOVERY_MODE PRE_TEST
    WORKING_DIRECTORY ${CMAKE_BINARY_DIR}
    PROPERTIES LABELS ${ARG_LABEL} TIMEOUT ${ARG_TIMEOUT} ENVIRONMENT PUSHDOWN_PIN=off)
endfunction()

# pd_tests_without_pins(): gives every test added with plain add_test() in the
#   calling directory PUSHDOWN_PIN=off, as pd_add_test does for its tests.
#   Call it at the end of a tests/ CMakeLists.txt that uses add_test().
function(pd_tests_without_pins)
  get_property(tests DIRECTORY PROPERTY TESTS)
  foreach(t IN LISTS tests)
    set_property(TEST ${t} APPEND PROPERTY ENVIRONMENT PUSHDOWN_PIN=off)
  endforeach()
endfunction()

# pd_add_fuzzer(<name> SOURCES ... DEPS ...): a libFuzzer binary in build/fuzz,
# only when PD_FUZZ=ON (clang). Run bounded by scripts/fuzz.sh.
function(pd_add_fuzzer name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  if(NOT PD_FUZZ)
    return()
  endif()
  add_executable(${name} ${ARG_SOURCES})
  set_target_properties(${name} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/fuzz)
  target_link_libraries(${name} PRIVATE ${ARG_DEPS})
  target_link_options(${name} PRIVATE -fsanitize=fuzzer)
endfunction()
