# Helpers shared by every module.

# Project code is held to -Wall -Wextra -Werror; generated code is not.
function(lienthong_warnings target)
    # Two GCC 12 false positives are not errors: Asio's coroutine frame operator delete
    # reported as mismatched (GCC bug 109224), and -Wrestrict on std::string at -O3 (bug 105651).
    target_compile_options(${target} PRIVATE -Wall -Wextra -Wno-mismatched-new-delete -Wno-restrict)
    # Warnings are judged on the normal build: sanitizer instrumentation makes GCC's flow
    # analysis report false -Wmaybe-uninitialized, so that tree warns without failing.
    if(NOT LIENTHONG_SANITIZE)
        target_compile_options(${target} PRIVATE -Werror)
    endif()
endfunction()

# lienthong_module(NAME core SOURCES ... DEPS ... PRIVATE_DEPS ...)
# Builds hub_<name> (alias hub::<name>) with public headers under include/.
function(lienthong_module)
    cmake_parse_arguments(M "" "NAME" "SOURCES;DEPS;PRIVATE_DEPS" ${ARGN})
    add_library(hub_${M_NAME} STATIC ${M_SOURCES})
    add_library(hub::${M_NAME} ALIAS hub_${M_NAME})
    target_include_directories(hub_${M_NAME} PUBLIC ${CMAKE_CURRENT_SOURCE_DIR}/include)
    target_link_libraries(hub_${M_NAME} PUBLIC ${M_DEPS} PRIVATE ${M_PRIVATE_DEPS})
    lienthong_warnings(hub_${M_NAME})
endfunction()

# lienthong_test(NAME core_tests LABELS unit SOURCES ... DEPS ...)
# A Catch2 executable whose test cases are registered one by one in CTest.
function(lienthong_test)
    cmake_parse_arguments(T "" "NAME" "SOURCES;DEPS;LABELS" ${ARGN})
    add_executable(${T_NAME} ${T_SOURCES})
    target_link_libraries(${T_NAME} PRIVATE ${T_DEPS} Catch2::Catch2WithMain)
    target_include_directories(${T_NAME} PRIVATE ${PROJECT_SOURCE_DIR}/tests)
    lienthong_warnings(${T_NAME})
    if(NOT T_LABELS)
        set(T_LABELS unit)
    endif()
    # A name CTest cannot pass back to Catch2 unchanged (a ';' splits it) matches no test
    # case; --warn NoTests makes that a failure instead of an empty pass.
    catch_discover_tests(${T_NAME}
        EXTRA_ARGS --warn NoTests
        PROPERTIES LABELS "${T_LABELS}"
                   ENVIRONMENT "LIENTHONG_SOURCE_DIR=${PROJECT_SOURCE_DIR};LIENTHONG_BUILD_DIR=${PROJECT_BINARY_DIR}")
endfunction()
