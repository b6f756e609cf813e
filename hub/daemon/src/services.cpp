#include "services.h"

#include <random>

namespace hub {

boost::asio::awaitable<Result<void>> Services::reload_registry() {
    auto loaded = co_await ledger.load_registry();
    if (!loaded) {
        co_return loaded.error();
    }
    registry.set(Registry::build(*loaded));
    co_return Result<void>{};
}

std::string new_id(const char* prefix) {
    thread_local std::mt19937_64 random{std::random_device{}()};
    static constexpr char kHex[] = "0123456789abcdef";
    std::string id = prefix;
    auto bits = random();
    for (int i = 0; i < 16; ++i, bits >>= 4) {
        id += kHex[bits & 15];
    }
    return id;
}

}  // namespace hub
