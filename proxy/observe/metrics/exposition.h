// The Prometheus text exposition format (version 0.0.4): families with HELP
// and TYPE lines, samples with escaped label values, cumulative histograms.
// Used at scrape time only, on the admin thread.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sluice::metrics {

inline constexpr std::string_view exposition_content_type = "text/plain; version=0.0.4; charset=utf-8";

using Label = std::pair<std::string_view, std::string_view>;
using Labels = std::span<const Label>;

// Appends "0.005", "1e+06", "+Inf", "NaN": the shortest text that reads back
// as the same double (as Prometheus' own clients write them).
void append_number(std::string& out, double v);
void append_number(std::string& out, std::uint64_t v);
// Escapes '\\', '"' and newlines as the format asks of label values.
void append_label_value(std::string& out, std::string_view v);

// controller-confined (the admin listener's thread); one per scrape.
// Families must not repeat: callers gather every series of a family first.
class ExpositionWriter {
 public:
  explicit ExpositionWriter(std::string& out) : out_(out) {}

  // type: "counter", "gauge" or "histogram".
  void family(std::string_view name, std::string_view type, std::string_view help);
  void sample(std::string_view name, Labels labels, double value);
  void sample(std::string_view name, Labels labels, std::uint64_t value);
  void sample(std::string_view name, std::initializer_list<Label> labels, double value) {
    sample(name, Labels(labels.begin(), labels.size()), value);
  }
  void sample(std::string_view name, std::initializer_list<Label> labels, std::uint64_t value) {
    sample(name, Labels(labels.begin(), labels.size()), value);
  }
  // `buckets` holds per-bucket (not cumulative) counts, one per bound plus a
  // last one for values above every bound; writes _bucket (cumulative, with
  // le="+Inf"), _sum and _count.
  void histogram(std::string_view name, Labels labels, std::span<const double> bounds,
                 std::span<const std::uint64_t> buckets, double sum);

 private:
  void series_name(std::string_view name, std::string_view suffix, Labels labels, const Label* extra);

  std::string& out_;
};

}  // namespace sluice::metrics
