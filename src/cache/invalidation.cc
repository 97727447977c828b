#include "cache/invalidation.h"

#include <fmt/format.h>

#include <algorithm>

#include "base/strings.h"

namespace edgefront::cache {

bool InvalidationRule::matches(const ObjectMeta& meta) const {
  if (meta.distribution_id != distribution_id) return false;
  if (!tag.empty()) {
    return std::find(meta.tags.begin(), meta.tags.end(), tag) != meta.tags.end();
  }
  if (prefix) return std::string_view(meta.path).starts_with(path);
  return meta.path == path;
}

Result<InvalidationRule> parse_invalidation_path(std::string_view item) {
  InvalidationRule rule;
  if (item.empty()) return make_error(ErrorKind::kBadRequest, Fault::kViewer, "empty path");
  if (item.size() > 4000) {
    return make_error(ErrorKind::kBadRequest, Fault::kViewer, "path longer than 4,000 characters");
  }
  if (item.front() == '#') {
    std::string_view tag = item.substr(1);
    if (tag.empty() || tag.size() > 256) {
      return make_error(ErrorKind::kBadRequest, Fault::kViewer, "a tag has 1 to 256 characters");
    }
    for (char c : tag) {
      if (c < 33 || c > 126 || c == ',') {
        return make_error(ErrorKind::kBadRequest, Fault::kViewer,
                          "a tag is printable ASCII without commas");
      }
    }
    rule.tag = to_lower(tag);
    return rule;
  }
  if (item.front() != '/') {
    return make_error(ErrorKind::kBadRequest, Fault::kViewer, "a path must start with '/'");
  }
  size_t star = item.find('*');
  if (star != std::string_view::npos && star != item.size() - 1) {
    return make_error(ErrorKind::kBadRequest, Fault::kViewer,
                      "'*' is allowed only as the last character");
  }
  rule.prefix = star != std::string_view::npos;
  rule.path = std::string(rule.prefix ? item.substr(0, item.size() - 1) : item);
  return rule;
}

Result<Invalidation> InvalidationBoard::submit(std::string distribution_id,
                                               std::string caller_reference,
                                               std::vector<std::string> paths, SystemTime now) {
  std::vector<InvalidationRule> parsed;
  for (const std::string& p : paths) {
    auto rule = parse_invalidation_path(p);
    if (!rule.ok()) {
      return make_error(ErrorKind::kBadRequest, Fault::kViewer,
                        fmt::format("path \"{}\": {}", p, rule.error().message));
    }
    parsed.push_back(std::move(rule.value()));
  }
  if (parsed.empty()) {
    return make_error(ErrorKind::kBadRequest, Fault::kViewer, "no paths to invalidate");
  }
  std::lock_guard lock(mu_);
  if (!caller_reference.empty()) {
    for (const Invalidation& inv : invalidations_) {
      if (inv.distribution_id != distribution_id || inv.caller_reference != caller_reference) {
        continue;
      }
      if (inv.paths == paths) return inv;
      return make_error(ErrorKind::kBadRequest, Fault::kViewer,
                        "InvalidationBatchAlreadyExists: this CallerReference was used with "
                        "other paths");
    }
  }
  auto current = rules_.load(std::memory_order_acquire);
  auto next = std::make_shared<Rules>(*current);
  uint64_t seq = sequence_.load(std::memory_order_relaxed);
  for (InvalidationRule& rule : parsed) {
    rule.seq = ++seq;
    rule.distribution_id = distribution_id;
  }
  if (journal_) journal_(parsed);
  for (InvalidationRule& rule : parsed) next->items.push_back(std::move(rule));
  if (next->items.size() > max_rules_) {
    size_t drop = next->items.size() - max_rules_;
    next->floor = next->items[drop - 1].seq;
    next->items.erase(next->items.begin(), next->items.begin() + static_cast<ptrdiff_t>(drop));
  }
  rules_.store(std::move(next), std::memory_order_release);
  sequence_.store(seq, std::memory_order_release);

  Invalidation inv;
  inv.id = fmt::format("I{:013X}", next_id_++);
  inv.distribution_id = std::move(distribution_id);
  inv.caller_reference = std::move(caller_reference);
  inv.paths = std::move(paths);
  inv.create_time = now;
  invalidations_.push_back(inv);
  return inv;
}

std::optional<Invalidation> InvalidationBoard::find(std::string_view id) const {
  std::lock_guard lock(mu_);
  for (const Invalidation& inv : invalidations_) {
    if (inv.id == id) return inv;
  }
  return std::nullopt;
}

std::vector<Invalidation> InvalidationBoard::list(std::string_view distribution_id) const {
  std::lock_guard lock(mu_);
  std::vector<Invalidation> out;
  for (const Invalidation& inv : invalidations_) {
    if (distribution_id.empty() || inv.distribution_id == distribution_id) out.push_back(inv);
  }
  return out;
}

size_t InvalidationBoard::count() const {
  std::lock_guard lock(mu_);
  return invalidations_.size();
}

std::vector<Invalidation> InvalidationBoard::since(size_t from, size_t max) const {
  std::lock_guard lock(mu_);
  if (from >= invalidations_.size()) return {};
  from = std::max(from, invalidations_.size() - std::min(max, invalidations_.size()));
  return {invalidations_.begin() + static_cast<std::ptrdiff_t>(from), invalidations_.end()};
}

bool InvalidationBoard::invalidated_since(const ObjectMeta& meta, uint64_t checked) const {
  auto rules = rules_.load(std::memory_order_acquire);
  if (checked < rules->floor) return true;
  for (auto it = rules->items.rbegin(); it != rules->items.rend() && it->seq > checked; ++it) {
    if (it->matches(meta)) return true;
  }
  return false;
}

}  // namespace edgefront::cache
