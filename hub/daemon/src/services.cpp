#include "services.h"

#include <sys/random.h>

#include <cerrno>
#include <cstdint>
#include <stdexcept>

namespace hub {

boost::asio::awaitable<Result<void>> Services::reload_registry() {
    auto loaded = co_await registry_store.load_registry();
    if (!loaded) {
        co_return loaded.error();
    }
    registry.set(Registry::build(*loaded));
    co_return Result<void>{};
}

std::string operator_actor(const http::Request& request) {
    return "operator:" + request.client_cert_sha256.value_or("none").substr(0, 16);
}

std::string new_id(const char* prefix) {
    std::uint64_t bits = 0;
    std::size_t got = 0;
    auto* out = reinterpret_cast<unsigned char*>(&bits);
    while (got < sizeof bits) {
        const ssize_t n = ::getrandom(out + got, sizeof bits - got, 0);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            throw std::runtime_error("getrandom failed");  // a bug or a broken kernel
        }
        got += static_cast<std::size_t>(n);
    }
    static constexpr char kHex[] = "0123456789abcdef";
    std::string id = prefix;
    for (int i = 0; i < 16; ++i, bits >>= 4) {
        id += kHex[bits & 15];
    }
    return id;
}

}  // namespace hub
