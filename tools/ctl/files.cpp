#include "files.h"

#include <google/protobuf/util/json_util.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace ctl {

std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        throw std::runtime_error("cannot read " + path);
    }
    std::ostringstream buffer;
    buffer << in.rdbuf();
    return buffer.str();
}

void write_file(const std::string& path, std::string_view bytes) {
    const std::string temp = path + ".tmp";
    {
        std::ofstream out(temp, std::ios::binary | std::ios::trunc);
        if (!out || !out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()))) {
            throw std::runtime_error("cannot write " + path);
        }
    }
    std::filesystem::rename(temp, path);
}

bool read_message(const std::string& path, google::protobuf::Message& message, std::string& error) {
    const std::string bytes = read_file(path);
    const auto first = bytes.find_first_not_of(" \t\r\n");
    if (first != std::string::npos && bytes[first] == '{') {
        auto status = google::protobuf::util::JsonStringToMessage(bytes, &message);
        if (!status.ok()) {
            error = std::string(status.message());
            return false;
        }
        return true;
    }
    if (!message.ParseFromString(bytes)) {
        error = "not a binary " + message.GetTypeName() + " nor JSON";
        return false;
    }
    return true;
}

std::string to_json(const google::protobuf::Message& message, bool pretty) {
    google::protobuf::util::JsonPrintOptions options;
    options.add_whitespace = pretty;
    std::string out;
    (void)google::protobuf::util::MessageToJsonString(message, &out, options);
    return out;
}

}  // namespace ctl
