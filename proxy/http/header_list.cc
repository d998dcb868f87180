// HeaderList; see header_list.h.
#include "proxy/http/header_list.h"

namespace sluice {

void HeaderList::own() {
  if (owns()) return;
  std::vector<HeaderField> copied;
  copied.reserve(borrowed_.size());
  std::string bytes;
  for (const HeaderField& f : borrowed_) {
    const std::string_view n = f.name.in(base_), v = f.value.in(base_);
    HeaderField c{{static_cast<std::uint32_t>(bytes.size()), static_cast<std::uint32_t>(n.size())},
                  {static_cast<std::uint32_t>(bytes.size() + n.size()), static_cast<std::uint32_t>(v.size())},
                  f.kind};
    bytes.append(n).append(v);
    copied.push_back(c);
  }
  borrowed_ = {};
  base_ = nullptr;
  owned_fields_ = std::move(copied);
  storage_ = std::move(bytes);
}

void HeaderList::add(std::string_view name, std::string_view value) {
  own();
  const auto at = static_cast<std::uint32_t>(storage_.size());
  storage_.append(name).append(value);
  owned_fields_.push_back({{at, static_cast<std::uint32_t>(name.size())},
                           {static_cast<std::uint32_t>(at + name.size()), static_cast<std::uint32_t>(value.size())},
                           classify_header(name)});
}

std::string_view HeaderList::find(HeaderKind kind) const {
  for (std::size_t i = 0; i < size(); ++i)
    if (this->kind(i) == kind) return value(i);
  return {};
}

}  // namespace sluice
