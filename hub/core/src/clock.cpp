#include "hub/core/clock.h"

namespace hub {

Instant SystemClock::now() const {
    return std::chrono::time_point_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now()) +
           offset_;
}

}  // namespace hub
