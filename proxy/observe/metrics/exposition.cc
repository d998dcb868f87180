// ExpositionWriter: text only, no registry; the callers own the numbers.
#include "proxy/observe/metrics/exposition.h"

#include <charconv>
#include <cmath>

namespace sluice::metrics {

void append_number(std::string& out, double v) {
  if (std::isnan(v)) {
    out += "NaN";
    return;
  }
  if (std::isinf(v)) {
    out += v > 0 ? "+Inf" : "-Inf";
    return;
  }
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, ec == std::errc() ? end : buf);
}

void append_number(std::string& out, std::uint64_t v) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, ec == std::errc() ? end : buf);
}

void append_label_value(std::string& out, std::string_view v) {
  for (char c : v) {
    switch (c) {
      case '\\': out += "\\\\"; break;
      case '"': out += "\\\""; break;
      case '\n': out += "\\n"; break;
      default: out += c;
    }
  }
}

void ExpositionWriter::family(std::string_view name, std::string_view type, std::string_view help) {
  out_ += "# HELP ";
  out_ += name;
  out_ += ' ';
  for (char c : help) {  // HELP escapes only backslash and newline
    if (c == '\\') out_ += "\\\\";
    else if (c == '\n') out_ += "\\n";
    else out_ += c;
  }
  out_ += "\n# TYPE ";
  out_ += name;
  out_ += ' ';
  out_ += type;
  out_ += '\n';
}

void ExpositionWriter::series_name(std::string_view name, std::string_view suffix, Labels labels,
                                   const Label* extra) {
  out_ += name;
  out_ += suffix;
  bool first = true;
  auto put = [&](const Label& l) {
    out_ += first ? '{' : ',';
    first = false;
    out_ += l.first;
    out_ += "=\"";
    append_label_value(out_, l.second);
    out_ += '"';
  };
  for (const Label& l : labels) put(l);
  if (extra) put(*extra);
  if (!first) out_ += '}';
  out_ += ' ';
}

void ExpositionWriter::sample(std::string_view name, Labels labels, double value) {
  series_name(name, {}, labels, nullptr);
  append_number(out_, value);
  out_ += '\n';
}

void ExpositionWriter::sample(std::string_view name, Labels labels, std::uint64_t value) {
  series_name(name, {}, labels, nullptr);
  append_number(out_, value);
  out_ += '\n';
}

void ExpositionWriter::histogram(std::string_view name, Labels labels, std::span<const double> bounds,
                                 std::span<const std::uint64_t> buckets, double sum) {
  std::uint64_t cumulative = 0;
  std::string le;
  for (std::size_t i = 0; i <= bounds.size(); ++i) {
    cumulative += i < buckets.size() ? buckets[i] : 0;
    le.clear();
    if (i < bounds.size()) append_number(le, bounds[i]);
    else le = "+Inf";
    Label extra{"le", le};
    series_name(name, "_bucket", labels, &extra);
    append_number(out_, cumulative);
    out_ += '\n';
  }
  series_name(name, "_sum", labels, nullptr);
  append_number(out_, sum);
  out_ += '\n';
  series_name(name, "_count", labels, nullptr);
  append_number(out_, cumulative);
  out_ += '\n';
}

}  // namespace sluice::metrics
