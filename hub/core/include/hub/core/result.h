#pragma once
/// hub::Result<T>: a value or a Failure. Expected failures (a bad document, a busy store)
/// travel as values; exceptions are kept for start-up errors and bugs.

#include "hub/core/errc.h"

#include <boost/assert/source_location.hpp>
#include <boost/system/result.hpp>

namespace hub {

template <class T = void>
using Result = boost::system::result<T, Failure>;

/// Thrown only when code calls .value() on a failed Result, which is a bug.
class FailureException : public std::runtime_error {
public:
    explicit FailureException(Failure f);
    const Failure& failure() const noexcept { return failure_; }

private:
    Failure failure_;
};

/// Found by ADL from boost::system::result::value().
[[noreturn]] void throw_exception_from_error(const Failure& f, const boost::source_location& loc);

}  // namespace hub
