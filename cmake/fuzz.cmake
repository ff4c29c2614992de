# fuzz.cmake - the libFuzzer harnesses of tests/fuzz/ (with -DZT_FUZZ=ON and
# clang: ASan + UBSan + libFuzzer), and, in every build, the harnesses linked
# into test_fuzz_regressions, which replays the seed corpora and the kept
# crashing inputs through the same entry points (tests/fuzz/README.md).
set(ZT_FUZZ_TARGETS api_body api_get router upload csv licid envelope codec opendata)
set(ZT_FUZZ_DIR ${CMAKE_SOURCE_DIR}/tests/fuzz)

if(ZT_FUZZ)
  if(NOT CMAKE_C_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "ZT_FUZZ needs clang: cmake -DCMAKE_C_COMPILER=clang -DZT_FUZZ=ON")
  endif()
  # The whole program is instrumented for coverage and checked by ASan and
  # UBSan (any UB report is a crash).
  set(ZT_FUZZ_FLAGS -fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer
                    -fno-sanitize-recover=undefined -Wno-unknown-warning-option
                    # warnings are gcc -Werror's job (make test); clang differs
                    -Wno-error)
  target_compile_options(ztcore PUBLIC ${ZT_FUZZ_FLAGS})
  target_link_options(ztcore INTERFACE -fsanitize=address,undefined)
  set(ZT_FUZZ_BINS "")
  foreach(t ${ZT_FUZZ_TARGETS})
    add_executable(fuzz_${t} ${ZT_FUZZ_DIR}/fuzz_${t}.c ${ZT_FUZZ_DIR}/fuzz_common.c)
    target_compile_definitions(fuzz_${t} PRIVATE ZT_FUZZ_LIBFUZZER
                               ZT_FUZZ_SOURCE_DIR="${CMAKE_SOURCE_DIR}")
    target_link_libraries(fuzz_${t} PRIVATE ztcore)
    target_link_options(fuzz_${t} PRIVATE -fsanitize=fuzzer,address,undefined)
    list(APPEND ZT_FUZZ_BINS fuzz_${t})
  endforeach()
  add_custom_target(fuzz_all DEPENDS ${ZT_FUZZ_BINS})
endif()

if(TARGET test_fuzz_regressions)
  foreach(t ${ZT_FUZZ_TARGETS})
    target_sources(test_fuzz_regressions PRIVATE ${ZT_FUZZ_DIR}/fuzz_${t}.c)
  endforeach()
  target_sources(test_fuzz_regressions PRIVATE ${ZT_FUZZ_DIR}/fuzz_common.c)
  target_include_directories(test_fuzz_regressions PRIVATE ${ZT_FUZZ_DIR})
  target_compile_definitions(test_fuzz_regressions PRIVATE
                             ZT_FUZZ_SOURCE_DIR="${CMAKE_SOURCE_DIR}")
endif()
