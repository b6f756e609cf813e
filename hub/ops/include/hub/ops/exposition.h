#pragma once
/// The Prometheus text exposition format (version 0.0.4): families with HELP and TYPE, then
/// their samples. One writer per scrape; not thread-safe.

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace hub::ops {

/// Label names and values of one sample, in the order written.
using Labels = std::vector<std::pair<std::string, std::string>>;

class Exposition {
public:
    /// Starts a family: "# HELP name help" and "# TYPE name type" (counter, gauge,
    /// histogram). Every sample after it until the next family belongs to it. `name` must be
    /// a valid metric name (a bug otherwise: std::logic_error), and each family is started once per
    /// scrape.
    void family(std::string_view name, std::string_view type, std::string_view help);
    /// One sample line; `name` is the family's name, or for a histogram its _bucket, _sum or
    /// _count series. Label values are escaped; non-finite values are written as Prometheus
    /// spells them (+Inf, -Inf, NaN).
    void sample(std::string_view name, const Labels& labels, double value);
    void sample(std::string_view name, double value) { sample(name, {}, value); }
    /// A family with one unlabelled sample.
    void single(std::string_view name, std::string_view type, std::string_view help, double value);
    /// The text so far.
    const std::string& text() const { return out_; }

    /// How Prometheus spells a sample value (integers without a decimal point).
    static std::string format_value(double value);
    /// A label value with \\, \" and \n escaped.
    static std::string escape(std::string_view value);

private:
    std::string out_;
};

}  // namespace hub::ops
