// Through the edXML codec in lenient mode, as the axis itself would take untidy packages.

#include "sim_packages.h"

#include "hub/national/edxml.h"

#include <chrono>
#include <cstdio>

namespace lienthong::sim {

std::optional<PackageInfo> read_package_info(const std::string& package) {
    using namespace hub::national;
    DecodeOptions lenient;
    lenient.mode = DecodeMode::lenient;
    auto kind = package_kind(package, lenient.limits);
    if (!kind) {
        return std::nullopt;
    }
    PackageInfo info;
    if (*kind == PackageKind::status) {
        auto status = decode_status_package(package, lenient);
        if (!status) {
            return std::nullopt;
        }
        info.status = true;
        info.status_code = status->status_code;
        info.from = status->from.organ_id;
        info.document_id = status->response_for.document_id;
        info.to.push_back(status->response_for.organ_id);
        return info;
    }
    auto envelope = decode_envelope_package(package, lenient);
    if (!envelope) {
        return std::nullopt;
    }
    info.from = envelope->header.from.organ_id;
    info.document_id = envelope->header.document_id;
    for (const auto& to : envelope->header.to) {
        info.to.push_back(to.organ_id);
    }
    return info;
}

std::string build_status_package(const PackageInfo& about,
                                 const std::string& from,
                                 const std::string& code,
                                 const std::string& description) {
    hub::national::StatusPackage status;
    status.from.organ_id = from;
    status.response_for.organ_id = about.from;
    status.response_for.document_id = about.document_id;
    status.status_code = code;
    status.description = description;
    // Zone-less Vietnam time, as the axis writes it.
    using namespace std::chrono;
    auto now = floor<seconds>(system_clock::now()) + hours(7);
    auto day = floor<days>(now);
    year_month_day ymd{day};
    hh_mm_ss hms{now - day};
    char stamp[32];
    std::snprintf(stamp, sizeof stamp, "%04d/%02u/%02u %02d:%02d:%02d",
                  static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                  static_cast<unsigned>(ymd.day()), static_cast<int>(hms.hours().count()),
                  static_cast<int>(hms.minutes().count()), static_cast<int>(hms.seconds().count()));
    status.timestamp = stamp;
    auto bytes = hub::national::encode_status_package(status);
    return bytes ? *bytes : std::string();
}

}  // namespace lienthong::sim
