// header.cpp: include/h2024.h from C++. Compiled with `c++ -std=c++17 -Wall -Wextra
// -Werror -Wpedantic` and linked against the library by `cargo test --test c_api`: the link
// only succeeds if the header's extern "C" guards give the functions C linkage.
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>

#include "h2024.h"

namespace {

// Ownership in C++: each handle the library hands out gets its free function as deleter.
struct EngineDeleter {
    void operator()(H2024Engine *engine) const noexcept { h2024_engine_free(engine); }
};
struct StringDeleter {
    void operator()(char *s) const noexcept { h2024_string_free(s); }
};
using EnginePtr = std::unique_ptr<H2024Engine, EngineDeleter>;
using StringPtr = std::unique_ptr<char, StringDeleter>;

EnginePtr make_engine() {
    H2024Engine *raw = nullptr;
    if (h2024_engine_new(nullptr, &raw) != H2024_STATUS_OK) {
        std::fprintf(stderr, "h2024_engine_new: %s\n", h2024_last_error());
        return nullptr;
    }
    return EnginePtr(raw);
}

}  // namespace

int main() {
    static_assert(H2024_STATUS_OK == 0, "OK is zero");
    static_assert(H2024_VERSION_MAJOR >= 0 && H2024_VERSION_MINOR >= 0 && H2024_VERSION_PATCH >= 0,
                  "version macros are integers");
    if (std::string(h2024_version()) != H2024_VERSION) {
        std::fprintf(stderr, "version mismatch\n");
        return 1;
    }

    EnginePtr engine = make_engine();
    if (!engine) {
        return 1;
    }
    std::uint32_t units = 0;
    if (h2024_units(engine.get(), "medicaid", "H2014", 38, &units) != H2024_STATUS_OK || units != 3) {
        std::fprintf(stderr, "h2024_units: %u\n", static_cast<unsigned>(units));
        return 1;
    }

    char *raw = nullptr;
    H2024Status status = h2024_evaluate(engine.get(), "{\"policy\": \"tricare\"}", &raw);
    StringPtr document(raw);
    if (status != H2024_STATUS_UNKNOWN_POLICY || !document ||
        std::strstr(document.get(), "\"kind\":\"unknown_policy\"") == nullptr) {
        std::fprintf(stderr, "h2024_evaluate: status %d\n", static_cast<int>(status));
        return 1;
    }
    std::printf("c++: ok (%s)\n", h2024_version());
    return 0;
}
