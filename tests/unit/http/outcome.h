#pragma once
// Catch cannot print a hub::Result (Failure has no operator<<), so assertions compare this
// text instead: "ok", or the failure, which then shows in the test output.

#include "hub/core/result.h"

#include <string>

namespace hub::http::test {

template <class T>
std::string outcome(const Result<T>& result) {
    if (result) {
        return "ok";
    }
    const Failure& failure = result.error();
    return std::string(code_name(failure.code)) + " field=" + failure.field + " " + failure.text();
}

}  // namespace hub::http::test
